package dev.silkroute.providersim.internal.anthropic;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
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

/** Anthropic Messages: message objects, the message_start ... message_stop event stream, errors. */
public final class AnthropicDialect implements Dialect {

  @Override
  public Protocol protocol() {
    return Protocol.ANTHROPIC;
  }

  @Override
  public String idPrefix() {
    return "msg_";
  }

  @Override
  public String requestIdHeader() {
    return "request-id";
  }

  /** The real API takes {@code x-api-key}; Bearer is accepted too, as gateways send it. */
  @Override
  public boolean presentsKey(HttpExchange exchange, String requiredKey) {
    return Credentials.matches(Credentials.header(exchange, "x-api-key"), requiredKey)
        || Credentials.matches(Credentials.bearer(exchange), requiredKey);
  }

  @Override
  public ObjectNode errorBody(SimError error) {
    String type = switch (error.kind()) {
      case INVALID_REQUEST, METHOD_NOT_ALLOWED -> "invalid_request_error";
      case AUTHENTICATION -> "authentication_error";
      case NOT_FOUND -> "not_found_error";
      case RATE_LIMITED -> "rate_limit_error";
      case SERVER_ERROR -> "api_error";
    };
    ObjectNode body = Json.object().put("type", "error");
    body.putObject("error").put("type", type).put("message", error.message());
    return body;
  }

  @Override
  public ParsedRequest parse(JsonNode body) {
    return AnthropicRequests.parse(body);
  }

  @Override
  public ObjectNode render(ResponseMeta meta, Completion completion) {
    ObjectNode message = messageEnvelope(meta);
    ObjectNode block = message.putArray("content").addObject();
    if (completion.toolCall().isPresent()) {
      Completion.ToolCall call = completion.toolCall().get();
      block.put("type", "tool_use").put("id", "toolu_" + call.id()).put("name", call.name());
      block.set("input", input(completion));
    } else {
      block.put("type", "text").put("text", completion.text());
    }
    message.put("stop_reason", stopReason(completion.finishReason()));
    message.putNull("stop_sequence");
    message.set("usage", usage(completion, completion.completionTokens()));
    return message;
  }

  @Override
  public void stream(SseStream out, ResponseMeta meta, Completion completion, TokenGate gate)
      throws IOException, InterruptedException {
    ObjectNode start = messageEnvelope(meta);
    start.putArray("content");
    start.putNull("stop_reason");
    start.putNull("stop_sequence");
    start.set("usage", usage(completion, 1));
    ObjectNode messageStart = Json.object().put("type", "message_start");
    messageStart.set("message", start);
    out.event("message_start", messageStart);

    ObjectNode blockStart = Json.object().put("type", "content_block_start").put("index", 0);
    ObjectNode block = blockStart.putObject("content_block");
    boolean tool = completion.toolCall().isPresent();
    if (tool) {
      Completion.ToolCall call = completion.toolCall().get();
      block.put("type", "tool_use").put("id", "toolu_" + call.id()).put("name", call.name());
      block.putObject("input");
    } else {
      block.put("type", "text").put("text", "");
    }
    out.event("content_block_start", blockStart);
    out.event("ping", Json.object().put("type", "ping"));

    List<String> pieces = completion.pieces();
    for (int i = 0; i < pieces.size(); i++) {
      gate.beforeToken(i);
      ObjectNode delta = Json.object().put("type", "content_block_delta").put("index", 0);
      if (tool) {
        delta.putObject("delta").put("type", "input_json_delta").put("partial_json", pieces.get(i));
      } else {
        delta.putObject("delta").put("type", "text_delta").put("text", pieces.get(i));
      }
      out.event("content_block_delta", delta);
    }
    gate.beforeEnd();
    out.event("content_block_stop", Json.object().put("type", "content_block_stop").put("index", 0));
    ObjectNode messageDelta = Json.object().put("type", "message_delta");
    messageDelta.putObject("delta")
        .put("stop_reason", stopReason(completion.finishReason()))
        .putNull("stop_sequence");
    messageDelta.set("usage", usage(completion, completion.completionTokens()));
    out.event("message_delta", messageDelta);
    out.event("message_stop", Json.object().put("type", "message_stop"));
  }

  private static ObjectNode messageEnvelope(ResponseMeta meta) {
    return Json.object()
        .put("id", meta.id())
        .put("type", "message")
        .put("role", "assistant")
        .put("model", meta.model());
  }

  /** The arguments as an object; a call cut by max_tokens has no valid JSON, so its input is empty. */
  private static JsonNode input(Completion completion) {
    try {
      return Json.MAPPER.readTree(completion.text());
    } catch (JacksonException e) {
      return Json.object();
    }
  }

  /** Anthropic's input_tokens leaves out what the prompt cache served. */
  private static ObjectNode usage(Completion completion, long outputTokens) {
    return Json.object()
        .put("input_tokens", completion.promptTokens() - completion.cachedPromptTokens())
        .put("cache_creation_input_tokens", 0)
        .put("cache_read_input_tokens", completion.cachedPromptTokens())
        .put("output_tokens", outputTokens);
  }

  private static String stopReason(Completion.FinishReason reason) {
    return switch (reason) {
      case STOP -> "end_turn";
      case LENGTH -> "max_tokens";
      case TOOL_CALLS -> "tool_use";
    };
  }
}
