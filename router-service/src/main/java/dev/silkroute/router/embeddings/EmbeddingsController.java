package dev.silkroute.router.embeddings;

import dev.silkroute.router.auth.ApiKeys;
import dev.silkroute.router.chat.ChatRouter;
import dev.silkroute.router.core.Caller;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.netty.NettyHttpRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * {@code POST /v1/embeddings}, OpenAI's endpoint, also at {@code /api/v1/embeddings} for OpenRouter
 * clients. Authenticates, validates, and hands over to {@link Embedder}; refusals are
 * {@code RouterException}s, which the API's exception handler writes in the shape of the path called
 * (OpenAI's under {@code /v1}, OpenRouter's under {@code /api/v1}). Nothing waits on the event loop.
 */
@Controller
final class EmbeddingsController {

  private final ApiKeys keys;
  private final EmbeddingRequestParser parser;
  private final Embedder embedder;

  EmbeddingsController(ApiKeys keys, EmbeddingRequestParser parser, Embedder embedder) {
    this.keys = keys;
    this.parser = parser;
    this.embedder = embedder;
  }

  @Post(uris = {"/v1/embeddings", "/api/v1/embeddings"})
  @Consumes(MediaType.ALL)
  @Produces(MediaType.APPLICATION_JSON)
  CompletableFuture<HttpResponse<?>> create(@Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization,
                                            @Nullable @Header("X-Silkroute-Metadata") String routingMetadata,
                                            @Nullable @Body byte[] body, HttpRequest<?> http) {
    Executor eventLoop = http instanceof NettyHttpRequest<?> netty
        ? netty.getChannelHandlerContext().channel().eventLoop() : Runnable::run;
    boolean withRouting = "enabled".equalsIgnoreCase(routingMetadata);
    Function<Caller, CompletableFuture<HttpResponse<?>>> embed = caller -> {
      EmbeddingRequest request = parser.parse(body == null ? new byte[0] : body);
      String generationId = ChatRouter.newGenerationId();
      return embedder.embedAsync(generationId, caller, request, withRouting, eventLoop)
          .thenApply(answer -> HttpResponse.ok(answer.toString())
              .contentType(MediaType.APPLICATION_JSON_TYPE)
              .header("X-Generation-Id", generationId));
    };
    CompletableFuture<Caller> caller = keys.callerAsync(authorization);
    // A cached key is known at once: go on here. One read from Redis arrives on Lettuce's thread,
    // which serves every request's replies: go back to the event loop.
    return caller.isDone() ? caller.thenCompose(embed) : caller.thenComposeAsync(embed, ChatRouter.orInline(eventLoop));
  }
}
