package dev.silkroute.router.responses;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.api.SseStream;
import dev.silkroute.router.auth.ApiKeys;
import dev.silkroute.router.chat.ChatRequestParser;
import dev.silkroute.router.chat.ChatRouter;
import dev.silkroute.router.config.RouterSettings;
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
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/**
 * {@code POST /v1/responses}, OpenAI's Responses API (also at {@code /api/v1/responses} for
 * OpenRouter clients, with OpenRouter's error shape there). Translates the request into a chat
 * request and serves it through the router's one exchange ({@link ChatRouter}), then the answer into
 * a response object, or the chunk stream into the Responses event sequence. Stateless: nothing is
 * stored, so the response's id serves for {@code GET /generation} and nothing else.
 */
@Controller
final class ResponsesController {

  private final ApiKeys keys;
  private final ChatRequestParser parser;
  private final ChatRouter router;
  private final RouterSettings settings;
  private final ExecutorService streams;
  private final ObjectMapper json;
  private final Clock clock = Clock.systemUTC();

  ResponsesController(ApiKeys keys, ChatRequestParser parser, ChatRouter router, RouterSettings settings,
                      @Named("streams") ExecutorService streams, ObjectMapper json) {
    this.keys = keys;
    this.parser = parser;
    this.router = router;
    this.settings = settings;
    this.streams = streams;
    this.json = json;
  }

  @Post(uris = {"/v1/responses", "/api/v1/responses"})
  @Consumes(MediaType.ALL)
  // Both answers, so a client announcing either is not refused with a 406; "stream" in the body decides.
  @Produces({MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
  CompletableFuture<HttpResponse<?>> create(@Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization,
                                            @Nullable @Header("X-Silkroute-Metadata") String routingMetadata,
                                            @Nullable @Body byte[] body, HttpRequest<?> http) {
    Executor eventLoop = http instanceof NettyHttpRequest<?> netty
        ? netty.getChannelHandlerContext().channel().eventLoop() : streams;
    Function<Caller, CompletableFuture<HttpResponse<?>>> route = caller -> {
      ResponsesRequest request = ResponsesRequest.from(read(body));
      return route(caller, request, parser.parse(request.chat()), "enabled".equalsIgnoreCase(routingMetadata),
          eventLoop);
    };
    CompletableFuture<Caller> caller = keys.callerAsync(authorization);
    // As on chat completions: a key read from Redis arrives on Lettuce's thread; go back to the event loop.
    return caller.isDone() ? caller.thenCompose(route) : caller.thenComposeAsync(route, ChatRouter.orInline(eventLoop));
  }

  private CompletableFuture<HttpResponse<?>> route(Caller caller, ResponsesRequest request, ChatRequest chat,
                                                   boolean withRouting, Executor eventLoop) {
    String id = ChatRouter.newGenerationId();
    if (!request.stream()) {
      return router.completeAsync(id, caller, chat, withRouting, eventLoop)
          .thenApply(answer -> HttpResponse.ok(ResponseObject.of(request, id, answer, clock.instant().getEpochSecond())
                  .toString())
              .contentType(MediaType.APPLICATION_JSON_TYPE)
              .header("X-Generation-Id", id));
    }
    SseStream stream = new SseStream(streams);
    ResponseEvents events = new ResponseEvents(request, id, new ResponseEvents.Sink() {
      @Override
      public void event(String type, ObjectNode data, boolean more) {
        stream.event(type, data, more);
      }

      @Override
      public void end() {
        stream.end();
      }
    }, clock);
    router.streamAsync(id, caller, chat, events, stream.cancellation(), withRouting, eventLoop)
        .whenComplete((answered, error) -> {
          if (error != null) {
            failed(stream, events, error instanceof CompletionException ? error.getCause() : error);
          }
        });
    return stream.committed(settings.streamCommitAfter(), eventLoop)
        .thenApply(firstEvent -> HttpResponse.ok(stream.body(settings.keepAliveInterval()))
            .contentType(MediaType.TEXT_EVENT_STREAM_TYPE)
            .header(HttpHeaders.CACHE_CONTROL, "no-cache")
            .header("X-Generation-Id", id));
  }

  /**
   * Before the response started, the failure becomes its status (an {@link RouterException} rendered in
   * the path's error shape); after (keep-alives already sent), a {@code response.failed} event.
   */
  private static void failed(SseStream stream, ResponseEvents events, Throwable error) {
    RuntimeException failure = error instanceof RuntimeException runtime ? runtime : new IllegalStateException(error);
    if (!stream.failedBeforeStart(failure)) {
      ObjectNode chunk = JsonNodeFactory.instance.objectNode();
      chunk.putObject("error").put("message", error instanceof RouterException e ? e.error().message()
          : "The server had an error while processing your request");
      events.chunk(chunk);
      events.done();
    }
  }

  private ObjectNode read(byte[] body) {
    JsonNode root;
    try {
      root = json.readTree(body == null ? new byte[0] : body);
    } catch (JsonProcessingException e) {
      throw Fields.invalid("We could not parse the JSON body of your request: " + e.getOriginalMessage(), null);
    } catch (IOException e) {
      throw Fields.invalid("We could not read the body of your request", null);
    }
    if (root == null || !root.isObject()) {
      throw Fields.invalid("The request body must be a JSON object", null);
    }
    return (ObjectNode) root;
  }
}
