package dev.silkroute.providersim.internal.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.silkroute.providersim.Protocol;
import dev.silkroute.providersim.internal.generation.Completion;
import dev.silkroute.providersim.internal.http.Credentials;
import dev.silkroute.providersim.internal.http.Dialect;
import dev.silkroute.providersim.internal.http.Json;
import dev.silkroute.providersim.internal.http.ParsedRequest;
import dev.silkroute.providersim.internal.http.SimError;
import dev.silkroute.providersim.internal.http.SseStream;
import java.io.IOException;
import java.util.List;

/** OpenAI Chat Completions: CreateChatCompletionResponse, chat.completion.chunk SSE, Error. */
public final class OpenAiDialect implements Dialect {

  private static final String FINGERPRINT = "fp_provider_sim";

  @Override
  public Protocol protocol() {
    return Protocol.OPENAI;
  }

  @Override
  public String idPrefix() {
    return "chatcmpl-";
  }

  @Override
  public String requestIdHeader() {
    return "x-request-id";
  }

  @Override
  public boolean presentsKey(HttpExchange exchange, String requiredKey) {
    return Credentials.matches(Credentials.bearer(exchange), requiredKey);
  }

  @Override
  public ObjectNode errorBody(SimError error) {
    return errorBodyOf(error);
  }

  /** {@code {"error":{"message","type","param","code"}}}, also used for paths outside any provider. */
  public static ObjectNode errorBodyOf(SimError error) {
    String type = switch (error.kind()) {
      case RATE_LIMITED -> "requests";
      case SERVER_ERROR -> "server_error";
      case AUTHENTICATION, INVALID_REQUEST, NOT_FOUND, METHOD_NOT_ALLOWED -> "invalid_request_error";
    };
    ObjectNode body = Json.object();
    body.putObject("error")
        .put("message", error.message())
        .put("type", type)
        .put("param", error.param())
        .put("code", error.code());
    return body;
  }

  @Override
  public ParsedRequest parse(JsonNode body) {
    return OpenAiRequests.parse(body);
  }

  @Override
  public ObjectNode render(ResponseMeta meta, Completion completion) {
    ObjectNode response = envelope(meta, "chat.completion");
    ObjectNode choice = response.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message").put("role", "assistant");
    if (completion.toolCall().isPresent()) {
      Completion.ToolCall call = completion.toolCall().get();
      message.putNull("content");
      message.putNull("refusal");
      message.putArray("tool_calls").addObject()
          .put("id", "call_" + call.id())
          .put("type", "function")
          .putObject("function").put("name", call.name()).put("arguments", completion.text());
    } else {
      message.put("content", completion.text());
      message.putNull("refusal");
    }
    message.putArray("annotations");
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason(completion.finishReason()));
    response.set("usage", usage(completion));
    return response;
  }

  @Override
  public void stream(SseStream out, ResponseMeta meta, Completion completion, TokenGate gate)
      throws IOException, InterruptedException {
    ObjectNode first = Json.object().put("role", "assistant");
    if (completion.toolCall().isPresent()) {
      Completion.ToolCall call = completion.toolCall().get();
      first.putNull("content");
      toolCallDelta(first).put("id", "call_" + call.id()).put("type", "function")
          .putObject("function").put("name", call.name()).put("arguments", "");
    } else {
      first.put("content", "");
    }
    out.data(chunk(meta, first, null));
    List<String> pieces = completion.pieces();
    for (int i = 0; i < pieces.size(); i++) {
      gate.beforeToken(i);
      ObjectNode delta = Json.object();
      if (completion.toolCall().isPresent()) {
        toolCallDelta(delta).putObject("function").put("arguments", pieces.get(i));
      } else {
        delta.put("content", pieces.get(i));
      }
      out.data(chunk(meta, delta, null));
    }
    gate.beforeEnd();
    out.data(chunk(meta, Json.object(), finishReason(completion.finishReason())));
    if (meta.includeUsage()) {
      ObjectNode usageChunk = envelope(meta, "chat.completion.chunk");
      usageChunk.putArray("choices");
      usageChunk.set("usage", usage(completion));
      out.data(usageChunk);
    }
    out.done();
  }

  private static ObjectNode toolCallDelta(ObjectNode delta) {
    return delta.putArray("tool_calls").addObject().put("index", 0);
  }

  private static ObjectNode chunk(ResponseMeta meta, ObjectNode delta, String finishReason) {
    ObjectNode chunk = envelope(meta, "chat.completion.chunk");
    ArrayNode choices = chunk.putArray("choices");
    ObjectNode choice = choices.addObject().put("index", 0);
    choice.set("delta", delta);
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason);
    return chunk;
  }

  private static ObjectNode envelope(ResponseMeta meta, String object) {
    return Json.object()
        .put("id", meta.id())
        .put("object", object)
        .put("created", meta.created())
        .put("model", meta.model())
        .put("system_fingerprint", FINGERPRINT);
  }

  private static ObjectNode usage(Completion completion) {
    ObjectNode usage = Json.object()
        .put("prompt_tokens", completion.promptTokens())
        .put("completion_tokens", completion.completionTokens())
        .put("total_tokens", completion.promptTokens() + completion.completionTokens());
    usage.putObject("prompt_tokens_details").put("cached_tokens", completion.cachedPromptTokens()).put("audio_tokens", 0);
    usage.putObject("completion_tokens_details").put("reasoning_tokens", 0).put("audio_tokens", 0);
    return usage;
  }

  private static String finishReason(Completion.FinishReason reason) {
    return switch (reason) {
      case STOP -> "stop";
      case LENGTH -> "length";
      case TOOL_CALLS -> "tool_calls";
    };
  }
}
