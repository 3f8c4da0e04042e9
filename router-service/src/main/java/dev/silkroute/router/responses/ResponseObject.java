package dev.silkroute.router.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Responses API's response object ({@code Response} in OpenAI's OpenAPI document): the frame
 * that repeats the request's settings, the output items, the status and the usage, built from the
 * chat answer the router's exchange gave.
 */
final class ResponseObject {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private ResponseObject() {
  }

  /** The response before any output: {@code in_progress}, no usage yet. */
  static ObjectNode inProgress(ResponsesRequest request, String id, long createdAt, String model) {
    ObjectNode response = JSON.objectNode();
    response.put("id", id).put("object", "response").put("created_at", createdAt).put("status", "in_progress")
        .put("background", false).putNull("completed_at");
    response.putNull("error");
    response.putNull("incomplete_details");
    response.set("instructions", request.echo().get("instructions"));
    response.set("max_output_tokens", request.echo().get("max_output_tokens"));
    response.put("model", model);
    response.putArray("output");
    response.set("parallel_tool_calls", request.echo().get("parallel_tool_calls"));
    response.putNull("previous_response_id");
    response.set("reasoning", request.echo().get("reasoning"));
    // Never stored, whatever the request said: this API is stateless.
    response.put("store", false);
    for (String field : new String[] {"temperature", "text", "tool_choice", "tools", "top_p"}) {
      response.set(field, request.echo().get(field));
    }
    response.put("truncation", "disabled");
    // OpenRouter's Responses object carries both penalties (its SDK requires them): the request's or 0.
    response.put("frequency_penalty", request.echo().path("frequency_penalty").asDouble(0));
    response.put("presence_penalty", request.echo().path("presence_penalty").asDouble(0));
    if (request.echo().has("user")) {
      response.set("user", request.echo().get("user"));
    }
    response.set("metadata", request.echo().get("metadata"));
    return response;
  }

  /**
   * The finished response: {@code completed}, or {@code incomplete} when the answer was cut at the
   * token limit or by a content filter.
   */
  static void finish(ObjectNode response, String finishReason, JsonNode chatUsage, long completedAt) {
    String incomplete = switch (finishReason == null ? "" : finishReason) {
      case "length" -> "max_output_tokens";
      case "content_filter" -> "content_filter";
      default -> null;
    };
    if (incomplete == null) {
      response.put("status", "completed").put("completed_at", completedAt);
    } else {
      response.put("status", "incomplete");
      response.putObject("incomplete_details").put("reason", incomplete);
    }
    if (chatUsage != null && chatUsage.isObject()) {
      response.set("usage", usage(chatUsage));
    }
  }

  /** A response that failed after it started: {@code failed}, with the error's message. */
  static void fail(ObjectNode response, String message, JsonNode chatUsage) {
    response.put("status", "failed");
    response.putObject("error").put("code", "server_error").put("message", message);
    if (chatUsage != null && chatUsage.isObject()) {
      response.set("usage", usage(chatUsage));
    }
  }

  /** A non-streamed chat answer as the finished response object. */
  static ObjectNode of(ResponsesRequest request, String id, JsonNode completion, long now) {
    ObjectNode response = inProgress(request, id, completion.path("created").asLong(now),
        completion.path("model").asText());
    JsonNode choice = completion.path("choices").path(0);
    String finishReason = choice.path("finish_reason").asText(null);
    String status = itemStatus(finishReason);
    ArrayNode output = (ArrayNode) response.get("output");
    JsonNode message = choice.path("message");
    String text = message.path("content").isTextual() ? message.get("content").asText() : "";
    String refusal = message.path("refusal").isTextual() ? message.get("refusal").asText() : null;
    JsonNode calls = message.path("tool_calls");
    if (!text.isEmpty() || refusal != null || calls.isEmpty()) {
      ObjectNode item = messageItem(itemId("msg", id, output.size()), status);
      ArrayNode content = (ArrayNode) item.get("content");
      if (!text.isEmpty() || refusal == null) {
        content.add(textPart(text));
      }
      if (refusal != null) {
        content.addObject().put("type", "refusal").put("refusal", refusal);
      }
      output.add(item);
    }
    for (JsonNode call : calls) {
      output.add(functionCallItem(itemId("fc", id, output.size()), call.path("id").asText(),
          call.path("function").path("name").asText(), call.path("function").path("arguments").asText(""), status));
    }
    finish(response, finishReason, completion.get("usage"), now);
    copyRouterFields(completion, response);
    return response;
  }

  /** OpenRouter's additions to an answer (the provider that served it, the routing block asked for). */
  static void copyRouterFields(JsonNode chat, ObjectNode response) {
    for (String field : new String[] {"provider", "routing"}) {
      if (chat.has(field)) {
        response.set(field, chat.get(field));
      }
    }
  }

  static ObjectNode messageItem(String id, String status) {
    ObjectNode item = JSON.objectNode().put("id", id).put("type", "message").put("status", status)
        .put("role", "assistant");
    item.putArray("content");
    return item;
  }

  static ObjectNode textPart(String text) {
    ObjectNode part = JSON.objectNode().put("type", "output_text").put("text", text);
    part.putArray("annotations");
    part.putArray("logprobs");
    return part;
  }

  static ObjectNode functionCallItem(String id, String callId, String name, String arguments, String status) {
    return JSON.objectNode().put("id", id).put("type", "function_call").put("status", status)
        .put("arguments", arguments).put("call_id", callId).put("name", name);
  }

  /** An output item's status from the answer's finish reason. */
  static String itemStatus(String finishReason) {
    return "length".equals(finishReason) || "content_filter".equals(finishReason) ? "incomplete" : "completed";
  }

  /** Output item ids: the response's, with the item's kind and place. */
  static String itemId(String kind, String responseId, int outputIndex) {
    return kind + "_" + responseId.replace("gen-", "") + "_" + outputIndex;
  }

  /** Chat's usage in the Responses API's names, with OpenRouter's {@code cost} (USD) kept. */
  static ObjectNode usage(JsonNode chat) {
    ObjectNode usage = JSON.objectNode();
    long input = chat.path("prompt_tokens").asLong(0);
    long output = chat.path("completion_tokens").asLong(0);
    usage.put("input_tokens", input);
    usage.putObject("input_tokens_details")
        .put("cached_tokens", chat.path("prompt_tokens_details").path("cached_tokens").asLong(0))
        .put("cache_write_tokens", chat.path("prompt_tokens_details").path("cache_write_tokens").asLong(0));
    usage.put("output_tokens", output);
    usage.putObject("output_tokens_details")
        .put("reasoning_tokens", chat.path("completion_tokens_details").path("reasoning_tokens").asLong(0));
    usage.put("total_tokens", chat.path("total_tokens").asLong(input + output));
    if (chat.has("cost")) {
      usage.set("cost", chat.get("cost"));
    }
    return usage;
  }
}
