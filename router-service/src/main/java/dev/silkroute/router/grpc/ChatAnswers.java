package dev.silkroute.router.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.silkroute.proto.v1.ChatChunk;
import dev.silkroute.proto.v1.ChatMessage;
import dev.silkroute.proto.v1.ChatResponse;
import dev.silkroute.proto.v1.Choice;
import dev.silkroute.proto.v1.ChoiceDelta;
import dev.silkroute.proto.v1.ChunkError;
import dev.silkroute.proto.v1.ToolCall;
import dev.silkroute.proto.v1.Usage;
import java.math.RoundingMode;

/**
 * Reads the router's OpenAI-shaped answers ({@code chat.completion}, {@code chat.completion.chunk})
 * into their gRPC messages. Fields the proto has no place for (logprobs, reasoning text) are dropped.
 */
final class ChatAnswers {

  private ChatAnswers() {
  }

  static ChatResponse response(JsonNode completion) {
    ChatResponse.Builder response = ChatResponse.newBuilder()
        .setId(completion.path("id").asText())
        .setModel(completion.path("model").asText())
        .setProvider(completion.path("provider").asText())
        .setCreated(completion.path("created").asLong());
    for (JsonNode choice : completion.path("choices")) {
      JsonNode message = choice.path("message");
      ChatMessage.Builder out = ChatMessage.newBuilder()
          .setRole(message.path("role").asText("assistant"))
          .setContent(message.path("content").asText(""));
      JsonNode calls = message.path("tool_calls");
      for (int i = 0; i < calls.size(); i++) {
        out.addToolCalls(toolCall(calls.get(i), i));
      }
      response.addChoices(Choice.newBuilder()
          .setIndex(choice.path("index").asInt())
          .setMessage(out)
          .setFinishReason(choice.path("finish_reason").asText(""))
          .setNativeFinishReason(choice.path("native_finish_reason").asText("")));
    }
    if (completion.path("usage").isObject()) {
      response.setUsage(usage(completion.get("usage")));
    }
    return response.build();
  }

  static ChatChunk chunk(JsonNode chunk) {
    ChatChunk.Builder out = ChatChunk.newBuilder()
        .setId(chunk.path("id").asText())
        .setModel(chunk.path("model").asText())
        .setProvider(chunk.path("provider").asText())
        .setCreated(chunk.path("created").asLong());
    for (JsonNode choice : chunk.path("choices")) {
      JsonNode delta = choice.path("delta");
      ChoiceDelta.Builder d = ChoiceDelta.newBuilder()
          .setIndex(choice.path("index").asInt())
          .setRole(delta.path("role").asText(""))
          .setContent(delta.path("content").asText(""))
          .setFinishReason(choice.path("finish_reason").asText(""))
          .setNativeFinishReason(choice.path("native_finish_reason").asText(""));
      for (JsonNode call : delta.path("tool_calls")) {
        d.addToolCalls(toolCall(call, call.path("index").asInt()));
      }
      out.addChoices(d);
    }
    if (chunk.path("usage").isObject()) {
      out.setUsage(usage(chunk.get("usage")));
    }
    if (chunk.path("error").isObject()) {
      JsonNode error = chunk.get("error");
      out.setError(ChunkError.newBuilder()
          .setCode(httpStatus(error.path("type").asText()))
          .setMessage(error.path("message").asText()));
    }
    return out.build();
  }

  private static ToolCall toolCall(JsonNode call, int index) {
    JsonNode function = call.path("function");
    return ToolCall.newBuilder()
        .setIndex(index)
        .setId(call.path("id").asText(""))
        .setName(function.path("name").asText(""))
        .setArgumentsJson(function.path("arguments").asText(""))
        .build();
  }

  static Usage usage(JsonNode usage) {
    return Usage.newBuilder()
        .setPromptTokens(usage.path("prompt_tokens").asLong())
        .setCompletionTokens(usage.path("completion_tokens").asLong())
        .setTotalTokens(usage.path("total_tokens").asLong())
        .setCachedTokens(usage.path("prompt_tokens_details").path("cached_tokens").asLong())
        .setReasoningTokens(usage.path("completion_tokens_details").path("reasoning_tokens").asLong())
        .setCostMicros(costMicros(usage.path("cost")))
        .build();
  }

  /** The JSON's USD cost is derived from integer micro-USD, so this is exact; UP guards the contract anyway. */
  private static long costMicros(JsonNode cost) {
    if (!cost.isNumber()) {
      return 0;
    }
    return cost.decimalValue().movePointRight(6).setScale(0, RoundingMode.UP).longValueExact();
  }

  /** The HTTP status an error chunk stands for, by its OpenAI error type. */
  private static int httpStatus(String type) {
    return switch (type) {
      case "invalid_request_error" -> 400;
      case "authentication_error" -> 401;
      case "upstream_error" -> 502;
      default -> 500;
    };
  }
}
