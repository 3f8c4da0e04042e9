package dev.silkroute.router.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import dev.silkroute.router.core.ChatRequest;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Turns a request body into a {@link ChatRequest}, or an {@link RouterException} that names the field at
 * fault, as OpenAI's API does ({@code param: "messages[2].role"}). Only what the router itself relies
 * on is checked strictly; other fields pass through to the provider.
 */
public final class ChatRequestParser {

  private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

  private final ObjectMapper json;

  public ChatRequestParser(ObjectMapper json) {
    this.json = json;
  }

  public ChatRequest parse(byte[] body) {
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (JsonProcessingException e) {
      throw invalid("We could not parse the JSON body of your request: " + e.getOriginalMessage(), null);
    } catch (java.io.IOException e) {
      throw invalid("We could not read the body of your request", null);
    }
    if (root == null || !root.isObject()) {
      throw invalid("The request body must be a JSON object", null);
    }
    return parse((ObjectNode) root);
  }

  /**
   * A request already in OpenAI's chat shape as JSON: what the other edges (gRPC, Anthropic's
   * Messages, OpenAI's Responses) translate theirs into. The request is the parser's from here on.
   */
  public ChatRequest parse(ObjectNode request) {
    JsonNode model = request.get("model");
    if (model == null || model.isNull()) {
      throw invalid("Missing required parameter: 'model'", "model");
    }
    if (!model.isTextual() || model.asText().isBlank()) {
      throw invalid("'model' must be a non-empty string", "model");
    }
    long promptChars = messages(request.get("messages"));
    boolean stream = bool(request, "stream");
    if (request.has("stream_options") && !request.get("stream_options").isNull()) {
      if (!request.get("stream_options").isObject()) {
        throw invalid("'stream_options' must be an object", "stream_options");
      }
      if (!stream) {
        throw invalid("'stream_options' is only allowed when 'stream' is true", "stream_options");
      }
    }
    OptionalLong maxTokens = positiveLong(request, "max_completion_tokens");
    if (maxTokens.isEmpty()) {
      maxTokens = positiveLong(request, "max_tokens");
    }
    range(request, "temperature", 0, 2);
    range(request, "top_p", 0, 1);
    range(request, "presence_penalty", -2, 2);
    range(request, "frequency_penalty", -2, 2);
    return new ChatRequest(model.asText(), stream, maxTokens, request, promptChars);
  }

  private static long messages(JsonNode messages) {
    if (messages == null || messages.isNull()) {
      throw invalid("Missing required parameter: 'messages'", "messages");
    }
    if (!messages.isArray()) {
      throw invalid("'messages' must be an array", "messages");
    }
    if (messages.isEmpty()) {
      throw invalid("'messages' must contain at least one message", "messages");
    }
    long chars = 0;
    for (int i = 0; i < messages.size(); i++) {
      String at = "messages[" + i + "]";
      JsonNode message = messages.get(i);
      if (!message.isObject()) {
        throw invalid("'" + at + "' must be an object", at);
      }
      JsonNode role = message.get("role");
      if (role == null || !role.isTextual() || !ROLES.contains(role.asText())) {
        throw invalid("'" + at + ".role' must be one of " + ROLES.stream().sorted().toList(), at + ".role");
      }
      JsonNode content = message.get("content");
      boolean mayOmitContent = role.asText().equals("assistant")
          && (message.has("tool_calls") || message.has("function_call"));
      if (content == null || content.isNull()) {
        if (!mayOmitContent) {
          throw invalid("Missing required parameter: '" + at + ".content'", at + ".content");
        }
      } else if (content.isTextual()) {
        chars += content.asText().length();
      } else if (content.isArray()) {
        chars += parts(content, at + ".content");
      } else {
        throw invalid("'" + at + ".content' must be a string or an array of content parts", at + ".content");
      }
      if (role.asText().equals("tool") && !(message.path("tool_call_id").isTextual())) {
        throw invalid("Missing required parameter: '" + at + ".tool_call_id'", at + ".tool_call_id");
      }
    }
    return chars;
  }

  private static long parts(JsonNode parts, String at) {
    long chars = 0;
    for (int j = 0; j < parts.size(); j++) {
      JsonNode part = parts.get(j);
      String partAt = at + "[" + j + "]";
      if (!part.isObject() || !part.path("type").isTextual()) {
        throw invalid("'" + partAt + ".type' is required", partAt + ".type");
      }
      if (part.path("type").asText().equals("text")) {
        if (!part.path("text").isTextual()) {
          throw invalid("'" + partAt + ".text' must be a string", partAt + ".text");
        }
        chars += part.path("text").asText().length();
      }
    }
    return chars;
  }

  private static boolean bool(ObjectNode request, String field) {
    JsonNode value = request.get(field);
    if (value == null || value.isNull()) {
      return false;
    }
    if (!value.isBoolean()) {
      throw invalid("'" + field + "' must be a boolean", field);
    }
    return value.asBoolean();
  }

  private static OptionalLong positiveLong(ObjectNode request, String field) {
    JsonNode value = request.get(field);
    if (value == null || value.isNull()) {
      return OptionalLong.empty();
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 1) {
      throw invalid("'" + field + "' must be a positive integer", field);
    }
    return OptionalLong.of(value.asLong());
  }

  private static void range(ObjectNode request, String field, double min, double max) {
    JsonNode value = request.get(field);
    if (value == null || value.isNull()) {
      return;
    }
    if (!value.isNumber() || value.asDouble() < min || value.asDouble() > max) {
      throw invalid("'" + field + "' must be a number from " + min + " to " + max, field);
    }
  }

  private static RouterException invalid(String message, String param) {
    return new RouterException(RouterError.invalidRequest(message, param));
  }
}
