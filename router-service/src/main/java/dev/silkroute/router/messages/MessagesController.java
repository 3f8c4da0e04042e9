package dev.silkroute.router.messages;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.api.ErrorShape;
import dev.silkroute.router.api.SseStream;
import dev.silkroute.router.auth.ApiKeys;
import dev.silkroute.router.catalog.Catalog;
import dev.silkroute.router.chat.ChatRequestParser;
import dev.silkroute.router.chat.ChatRouter;
import dev.silkroute.router.config.RouterSettings;
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
import jakarta.inject.Provider;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Anthropic's Messages API, {@code POST /v1/messages} and {@code /v1/messages/count_tokens} (also
 * under {@code /api/v1}), for every model in the catalog: the request is translated into the
 * router's chat request and served by the same exchange as {@code /v1/chat/completions} (routing,
 * limits, credit, one usage event), and the answer translated back. Errors are Anthropic's
 * ({@link ErrorShape#ANTHROPIC}, chosen by the path).
 *
 * <p>Keys come in {@code x-api-key}, as Anthropic's SDKs send them, or as a Bearer token.
 * {@code anthropic-version} is accepted whatever date it names: the translation serves the one
 * version of the API there is.
 */
@Controller
final class MessagesController {

  private static final Pattern VERSION = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

  private final ApiKeys keys;
  private final ChatRequestParser parser;
  private final ChatRouter router;
  private final RouterSettings settings;
  private final ExecutorService streams;
  private final Provider<Catalog> catalog;
  private final ObjectMapper json;
  private final AnthropicRequest requests;
  private final AnthropicMessage messages;

  MessagesController(ApiKeys keys, ChatRequestParser parser, ChatRouter router, RouterSettings settings,
                     @Named("streams") ExecutorService streams, Provider<Catalog> catalog, ObjectMapper json) {
    this.keys = keys;
    this.parser = parser;
    this.router = router;
    this.settings = settings;
    this.streams = streams;
    this.catalog = catalog;
    this.json = json;
    this.requests = new AnthropicRequest(json);
    this.messages = new AnthropicMessage(json);
  }

  @Post(uris = {"/v1/messages", "/api/v1/messages"})
  @Consumes(MediaType.ALL)
  // Either answer, so that "Accept: text/event-stream" is not refused: "stream" in the body decides.
  @Produces({MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
  CompletableFuture<HttpResponse<?>> create(@Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization,
                                            @Nullable @Header("x-api-key") String apiKey,
                                            @Nullable @Header("anthropic-version") String version,
                                            @Nullable @Header("X-Silkroute-Metadata") String routingMetadata,
                                            @Nullable @Body byte[] body, HttpRequest<?> http) {
    Executor eventLoop = eventLoopOf(http);
    return authenticated(authorization, apiKey, eventLoop, caller -> {
      checkVersion(version);
      ObjectNode chat = requests.toChat(requests.read(body));
      return route(caller, parser.parse(chat), "enabled".equalsIgnoreCase(routingMetadata), eventLoop);
    });
  }

  @Post(uris = {"/v1/messages/count_tokens", "/api/v1/messages/count_tokens"})
  @Consumes(MediaType.ALL)
  @Produces(MediaType.APPLICATION_JSON)
  CompletableFuture<HttpResponse<?>> countTokens(@Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization,
                                                 @Nullable @Header("x-api-key") String apiKey,
                                                 @Nullable @Header("anthropic-version") String version,
                                                 @Nullable @Body byte[] body, HttpRequest<?> http) {
    return authenticated(authorization, apiKey, eventLoopOf(http), caller -> {
      checkVersion(version);
      ObjectNode prompt = requests.prompt(requests.read(body), false);
      String model = prompt.get("model").asText();
      if (catalog.get().model(model).isEmpty()) {
        throw new RouterException(RouterError.modelNotFound(model));
      }
      ObjectNode count = json.createObjectNode().put("input_tokens", PromptTokens.count(prompt));
      return CompletableFuture.completedFuture(HttpResponse.ok(count.toString())
          .contentType(MediaType.APPLICATION_JSON_TYPE));
    });
  }

  private CompletableFuture<HttpResponse<?>> authenticated(String authorization, String apiKey, Executor eventLoop,
      Function<Caller, CompletableFuture<HttpResponse<?>>> then) {
    CompletableFuture<Caller> caller = keys.callerAsync(authorization, apiKey);
    // A cached key is known at once: go on here. A key read from Redis arrives on Lettuce's thread,
    // which serves every request's replies: go back to the event loop.
    return caller.isDone() ? caller.thenCompose(then) : caller.thenComposeAsync(then, ChatRouter.orInline(eventLoop));
  }

  private static void checkVersion(String version) {
    if (version != null && !VERSION.matcher(version.trim()).matches()) {
      throw new RouterException(RouterError.invalidRequest(
          "anthropic-version: '" + version + "' is not a version (a date such as 2023-06-01)", "anthropic-version"));
    }
  }

  private CompletableFuture<HttpResponse<?>> route(Caller caller, ChatRequest request, boolean withRouting,
                                                   Executor eventLoop) {
    String generationId = ChatRouter.newGenerationId();
    if (!request.stream()) {
      return router.completeAsync(generationId, caller, request, withRouting, eventLoop)
          .thenApply(answer -> {
            ObjectNode message = messages.of(answer);
            if (answer.has("routing")) {
              message.set("routing", answer.get("routing"));
            }
            return HttpResponse.ok(message.toString())
                .contentType(MediaType.APPLICATION_JSON_TYPE)
                .header("request-id", generationId)
                .header("X-Generation-Id", generationId);
          });
    }
    SseStream stream = new SseStream(streams);
    AnthropicEvents events = new AnthropicEvents(stream, json, request.model());
    router.streamAsync(generationId, caller, request, events, stream.cancellation(), withRouting, eventLoop)
        .whenComplete((answered, error) -> {
          if (error != null) {
            failed(stream, events, error instanceof CompletionException ? error.getCause() : error);
          }
        });
    return stream.committed(settings.streamCommitAfter(), eventLoop)
        .thenApply(firstEvent -> HttpResponse.ok(stream.body(settings.keepAliveInterval()))
            .contentType(MediaType.TEXT_EVENT_STREAM_TYPE)
            .header(HttpHeaders.CACHE_CONTROL, "no-cache")
            .header("request-id", generationId)
            .header("X-Generation-Id", generationId));
  }

  /**
   * Before the response started, the failure becomes its status (the exception handler renders it in
   * Anthropic's shape); after, Anthropic's error event.
   */
  private static void failed(SseStream stream, AnthropicEvents events, Throwable error) {
    RouterError routerError = error instanceof RouterException e ? e.error() : RouterError.internal();
    RuntimeException failure = error instanceof RuntimeException runtime ? runtime : new IllegalStateException(error);
    stream.failed(failure, () -> events.failed(ErrorShape.ANTHROPIC.body(routerError)));
  }

  private Executor eventLoopOf(HttpRequest<?> http) {
    return http instanceof NettyHttpRequest<?> netty ? netty.getChannelHandlerContext().channel().eventLoop() : streams;
  }
}
