package dev.silkroute.router.grpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.proto.v1.ChatMessage;
import dev.silkroute.proto.v1.ChatRequest;
import dev.silkroute.proto.v1.ContentPart;
import dev.silkroute.proto.v1.ProviderPreferences;
import dev.silkroute.proto.v1.Tool;
import dev.silkroute.proto.v1.ToolCall;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import java.util.List;

/**
 * Writes a gRPC {@link ChatRequest} as the OpenAI request body an HTTP client would send for it, so
 * that both front ends share one parser, one validation and one router. Fields left at their proto
 * defaults are left out, as an HTTP client leaves them out.
 */
final class ChatRequestJson {

  private final ObjectMapper json;

  ChatRequestJson(ObjectMapper json) {
    this.json = json;
  }

  ObjectNode toOpenAi(ChatRequest request, boolean stream) {
    ObjectNode body = json.createObjectNode().put("model", request.getModel()).put("stream", stream);
    ArrayNode messages = body.putArray("messages");
    request.getMessagesList().forEach(m -> messages.add(message(m)));
    strings(body, "models", request.getModelsList());
    if (request.hasTemperature()) {
      body.put("temperature", request.getTemperature());
    }
    if (request.hasTopP()) {
      body.put("top_p", request.getTopP());
    }
    if (request.hasMaxTokens()) {
      body.put("max_tokens", request.getMaxTokens());
    }
    strings(body, "stop", request.getStopList());
    if (request.hasSeed()) {
      body.put("seed", request.getSeed());
    }
    if (request.hasPresencePenalty()) {
      body.put("presence_penalty", request.getPresencePenalty());
    }
    if (request.hasFrequencyPenalty()) {
      body.put("frequency_penalty", request.getFrequencyPenalty());
    }
    tools(request, body);
    responseFormat(request, body);
    if (!request.getUser().isEmpty()) {
      body.put("user", request.getUser());
    }
    if (request.hasProvider()) {
      body.set("provider", provider(request.getProvider()));
    }
    if (!request.getSessionId().isEmpty()) {
      body.put("session_id", request.getSessionId());
    }
    return body;
  }

  private ObjectNode message(ChatMessage message) {
    ObjectNode node = json.createObjectNode().put("role", message.getRole());
    if (message.getPartsCount() > 0) {
      ArrayNode parts = node.putArray("content");
      for (ContentPart part : message.getPartsList()) {
        switch (part.getPartCase()) {
          case TEXT -> parts.addObject().put("type", "text").put("text", part.getText());
          case IMAGE_URL -> parts.addObject().put("type", "image_url").putObject("image_url")
              .put("url", part.getImageUrl());
          // An empty part has no type, which the parser rejects with the part's position.
          case PART_NOT_SET -> parts.addObject();
        }
      }
    } else if (!message.getContent().isEmpty() || message.getToolCallsCount() == 0) {
      node.put("content", message.getContent());
    }
    if (!message.getName().isEmpty()) {
      node.put("name", message.getName());
    }
    if (message.getToolCallsCount() > 0) {
      ArrayNode calls = node.putArray("tool_calls");
      for (ToolCall call : message.getToolCallsList()) {
        calls.addObject().put("id", call.getId()).put("type", "function").putObject("function")
            .put("name", call.getName()).put("arguments", call.getArgumentsJson());
      }
    }
    if (!message.getToolCallId().isEmpty()) {
      node.put("tool_call_id", message.getToolCallId());
    }
    return node;
  }

  private void tools(ChatRequest request, ObjectNode body) {
    if (request.getToolsCount() > 0) {
      ArrayNode tools = body.putArray("tools");
      for (int i = 0; i < request.getToolsCount(); i++) {
        Tool tool = request.getTools(i);
        ObjectNode function = tools.addObject().put("type", "function").putObject("function")
            .put("name", tool.getName());
        if (!tool.getDescription().isEmpty()) {
          function.put("description", tool.getDescription());
        }
        if (!tool.getParametersJson().isEmpty()) {
          function.set("parameters", jsonObject(tool.getParametersJson(), "tools[" + i + "].parameters_json"));
        }
      }
    }
    String choice = request.getToolChoice();
    switch (choice) {
      case "" -> { }
      case "none", "auto", "required" -> body.put("tool_choice", choice);
      default -> body.putObject("tool_choice").put("type", "function").putObject("function").put("name", choice);
    }
    if (request.hasParallelToolCalls()) {
      body.put("parallel_tool_calls", request.getParallelToolCalls());
    }
  }

  private void responseFormat(ChatRequest request, ObjectNode body) {
    switch (request.getResponseFormatType()) {
      case "" -> { }
      case "text", "json_object" -> body.putObject("response_format").put("type", request.getResponseFormatType());
      case "json_schema" -> {
        ObjectNode schema = body.putObject("response_format").put("type", "json_schema")
            .putObject("json_schema").put("name", "response");
        schema.set("schema", jsonObject(request.getResponseFormatSchemaJson(), "response_format_schema_json"));
      }
      default -> throw new RouterException(RouterError.invalidRequest(
          "'response_format_type' must be text, json_object or json_schema", "response_format_type"));
    }
  }

  private ObjectNode provider(ProviderPreferences preferences) {
    ObjectNode node = json.createObjectNode();
    strings(node, "order", preferences.getOrderList());
    if (preferences.hasAllowFallbacks()) {
      node.put("allow_fallbacks", preferences.getAllowFallbacks());
    }
    if (preferences.getRequireParameters()) {
      node.put("require_parameters", true);
    }
    if (!preferences.getDataCollection().isEmpty()) {
      node.put("data_collection", preferences.getDataCollection());
    }
    strings(node, "only", preferences.getOnlyList());
    strings(node, "ignore", preferences.getIgnoreList());
    strings(node, "quantizations", preferences.getQuantizationsList());
    if (!preferences.getSort().isEmpty()) {
      node.put("sort", preferences.getSort());
    }
    if (preferences.hasMaxPromptPrice() || preferences.hasMaxCompletionPrice()) {
      ObjectNode maxPrice = node.putObject("max_price");
      if (preferences.hasMaxPromptPrice()) {
        maxPrice.put("prompt", preferences.getMaxPromptPrice());
      }
      if (preferences.hasMaxCompletionPrice()) {
        maxPrice.put("completion", preferences.getMaxCompletionPrice());
      }
    }
    return node;
  }

  private JsonNode jsonObject(String text, String field) {
    try {
      JsonNode node = json.readTree(text);
      if (node != null && node.isObject()) {
        return node;
      }
    } catch (JsonProcessingException e) {
      // answered below, naming the field
    }
    throw new RouterException(RouterError.invalidRequest("'" + field + "' must be a JSON object", field));
  }

  private static void strings(ObjectNode body, String field, List<String> values) {
    if (!values.isEmpty()) {
      ArrayNode array = body.putArray(field);
      values.forEach(array::add);
    }
  }
}
