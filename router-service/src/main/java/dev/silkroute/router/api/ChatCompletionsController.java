package dev.silkroute.router.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.auth.ApiKeys;
import dev.silkroute.router.chat.ChatRequestParser;
import dev.silkroute.router.chat.ChatRouter;
import dev.silkroute.router.config.RouterSettings;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import dev.silkroute.router.core.Caller;
import dev.silkroute.router.core.ChatRequest;
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
import jakarta.inject.Named;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/**
 * {@code POST /v1/chat/completions}, OpenAI's endpoint, also at {@code /api/v1/...} where OpenRouter
 * clients look for it. Authenticates, validates, and hands over to {@link ChatRouter}.
 *
 * <p>Runs on the event loop that owns the connection, and no step waits there: a key missing from
 * the cache and a worker pool's load are read from Redis asynchronously, admission, the upstream call
 * and settlement complete futures, and Micronaut answers when the returned one completes (a
 * non-streamed answer; a stream's first event, or the commit bound with keep-alives after it).
 * Upstream calls made here stay on this event loop (the one HTTP transport uses the server's loops).
 */
@Controller
final class ChatCompletionsController {

  private final ApiKeys keys;
  private final ChatRequestParser parser;
  private final ChatRouter router;
  private final RouterSettings settings;
  private final ExecutorService streams;

  ChatCompletionsController(ApiKeys keys, ChatRequestParser parser, ChatRouter router, RouterSettings settings,
               @Named("streams") ExecutorService streams) {
    this.keys = keys;
    this.parser = parser;
    this.router = router;
    this.settings = settings;
    this.streams = streams;
  }

  @Post(uris = {"/v1/chat/completions", "/api/v1/chat/completions"})
  @Consumes(MediaType.ALL)
  // Both answers this route gives, so a client announcing either (the OpenRouter SDK sends
  // "Accept: text/event-stream"; others "application/json, text/event-stream") is not refused with
  // Micronaut's 406. Which one it gets is decided by "stream" in the body, as on OpenAI's API.
  @Produces({MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
  CompletableFuture<HttpResponse<?>> create(@Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization,
                                            @Nullable @Header("X-Silkroute-Metadata") String routingMetadata,
                                            @Nullable @Body byte[] body, HttpRequest<?> http) {
    Executor eventLoop = eventLoopOf(http);
    Function<Caller, CompletableFuture<HttpResponse<?>>> route = caller -> route(caller,
        parser.parse(body == null ? new byte[0] : body), "enabled".equalsIgnoreCase(routingMetadata), eventLoop);
    CompletableFuture<Caller> caller = keys.callerAsync(authorization);
    // A cached key is known at once: go on here. A key read from Redis arrives on Lettuce's thread,
    // which serves every request's replies: go back to the event loop.
    return RouterExceptionHandler.refusalsAnswered(caller.isDone() ? caller.thenCompose(route)
        : caller.thenComposeAsync(route, ChatRouter.orInline(eventLoop)), http);
  }

  private CompletableFuture<HttpResponse<?>> route(Caller caller, ChatRequest request, boolean withRouting,
                                                   Executor eventLoop) {
    String generationId = ChatRouter.newGenerationId();
    if (!request.stream()) {
      // A refusal is answered by RouterExceptionHandler.refusalsAnswered, around the whole route.
      return router.completeAsync(generationId, caller, request, withRouting, eventLoop)
          .thenApply(answer -> HttpResponse.ok(answer.toString())
              .contentType(MediaType.APPLICATION_JSON_TYPE)
              .header("X-Generation-Id", generationId));
    }
    // No thread waits for the upstream: the response starts at the first event, or after the commit
    // bound with keep-alives.
    SseStream stream = new SseStream(streams);
    router.streamAsync(generationId, caller, request, stream, stream.cancellation(), withRouting, eventLoop)
        .whenComplete((answered, error) -> {
          if (error != null) {
            failed(stream, generationId, error instanceof CompletionException ? error.getCause() : error);
          }
        });
    return stream.committed(settings.streamCommitAfter(), eventLoop)
        .thenApply(firstEvent -> HttpResponse.ok(stream.body(settings.keepAliveInterval()))
            .contentType(MediaType.TEXT_EVENT_STREAM_TYPE)
            .header(HttpHeaders.CACHE_CONTROL, "no-cache")
            .header("X-Generation-Id", generationId));
  }

  /**
   * Before the response started, the failure becomes its status (the exception handler renders an
   * {@link RouterException}); after, an error chunk.
   */
  private static void failed(SseStream stream, String generationId, Throwable error) {
    if (error instanceof RouterException e) {
      stream.failed(e, errorChunk(generationId, e.error()));
    } else {
      stream.failed(error instanceof RuntimeException runtime ? runtime : new IllegalStateException(error),
          errorChunk(generationId, RouterError.internal()));
    }
  }

  /**
   * The event loop that owns the request's connection: the work between Redis replies and upstream
   * calls runs there, where the answer is written anyway (one hop per reply, no thread waiting).
   */
  private Executor eventLoopOf(HttpRequest<?> http) {
    return http instanceof NettyHttpRequest<?> netty ? netty.getChannelHandlerContext().channel().eventLoop() : streams;
  }

  private static ObjectNode errorChunk(String generationId, RouterError error) {
    ObjectNode chunk = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    chunk.put("id", generationId).put("object", "chat.completion.chunk");
    ObjectNode err = chunk.putObject("error");
    err.put("message", error.message()).put("type", HttpErrors.openAiType(error.kind())).put("code", error.code());
    chunk.putArray("choices").addObject().put("index", 0).put("finish_reason", "error").putObject("delta");
    return chunk;
  }
}
