package dev.silkroute.router.responses;

import static dev.silkroute.router.responses.Fields.absent;
import static dev.silkroute.router.responses.Fields.invalid;
import static dev.silkroute.router.responses.Fields.optionalBoolean;
import static dev.silkroute.router.responses.Fields.optionalChoice;
import static dev.silkroute.router.responses.Fields.optionalInteger;
import static dev.silkroute.router.responses.Fields.optionalNumber;
import static dev.silkroute.router.responses.Fields.optionalObject;
import static dev.silkroute.router.responses.Fields.optionalString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Responses API request ({@code CreateResponse}) read into what the route needs: the OpenAI chat
 * request that the router's one exchange serves, and the request's settings that the response object
 * echoes ({@code instructions}, {@code tools}, {@code tool_choice}, ...).
 *
 * <p>Stateless, as with {@code store: false}: nothing is kept after the answer, so whatever needs a
 * stored response, conversation or prompt, and the built-in tools that run on OpenAI's side, is
 * refused with a 400 naming the field; so is a field the API does not have, as OpenAI's does.
 *
 * @param chat   the chat completion request, in OpenAI's shape
 * @param stream whether the client asked for the event stream
 * @param echo   the fields of the response object that repeat the request
 */
record ResponsesRequest(ObjectNode chat, boolean stream, ObjectNode echo) {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** Refused when set (not null, not false), with what to do instead. */
  private static final Map<String, String> STATEFUL = Map.of(
      "previous_response_id", "Silkroute's Responses API is stateless (responses are not stored): "
          + "'previous_response_id' cannot be used; send the whole conversation in 'input'",
      "conversation", "Silkroute's Responses API is stateless (conversations are not stored): "
          + "'conversation' cannot be used; send the whole conversation in 'input'",
      "prompt", "Stored prompt templates are not supported: send the prompt in 'instructions' and 'input'",
      "background", "Background responses are not supported (responses are not stored): leave out 'background' "
          + "or set it to false");

  /** Fields the route reads, or accepts and has no use for (they change nothing without stored state). */
  private static final Set<String> KNOWN = Set.of("model", "input", "instructions", "tools", "tool_choice",
      "parallel_tool_calls", "max_output_tokens", "temperature", "top_p", "text", "reasoning", "metadata", "user",
      "stream", "stream_options", "store", "include", "safety_identifier", "prompt_cache_key",
      "prompt_cache_retention", "service_tier", "truncation", "max_tool_calls", "top_logprobs",
      // OpenRouter's routing fields, as on chat completions.
      "provider", "models", "route", "transforms", "session_id");

  /** Copied as they are: chat completions has them under the same name and meaning. */
  private static final List<String> SAME_IN_CHAT = List.of("model", "temperature", "top_p", "parallel_tool_calls",
      "user", "safety_identifier", "prompt_cache_key", "provider", "models", "route", "transforms", "session_id");

  static ResponsesRequest from(ObjectNode body) {
    for (Iterator<Map.Entry<String, JsonNode>> fields = body.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      String name = field.getKey();
      if (STATEFUL.containsKey(name)) {
        if (!absent(field.getValue()) && !field.getValue().equals(JSON.booleanNode(false))) {
          throw invalid(STATEFUL.get(name), name);
        }
      } else if (!KNOWN.contains(name)) {
        throw invalid("Unknown parameter: '" + name + "'", name);
      }
    }
    checkIgnored(body);
    optionalBoolean(body, "stream", "stream");
    optionalBoolean(body, "parallel_tool_calls", "parallel_tool_calls");
    optionalInteger(body, "max_output_tokens", 1, Long.MAX_VALUE);
    optionalNumber(body, "temperature", 0, 2);
    optionalNumber(body, "top_p", 0, 1);
    for (String field : List.of("user", "safety_identifier", "prompt_cache_key", "session_id")) {
      optionalString(body, field, field);
    }

    ObjectNode chat = JSON.objectNode();
    for (String field : SAME_IN_CHAT) {
      if (!absent(body.get(field))) {
        chat.set(field, body.get(field));
      }
    }
    ArrayNode messages = chat.putArray("messages");
    String instructions = optionalString(body, "instructions", "instructions");
    if (instructions != null) {
      messages.addObject().put("role", "system").put("content", instructions);
    }
    InputItems.appendTo(messages, body.get("input"));
    boolean stream = body.path("stream").asBoolean(false);
    if (stream) {
      chat.put("stream", true);
      chat.putObject("stream_options").put("include_usage", true);
    }
    if (!absent(body.get("max_output_tokens"))) {
      chat.set("max_tokens", body.get("max_output_tokens"));
    }
    Tools tools = Tools.from(body.get("tools"), body.get("tool_choice"));
    tools.addTo(chat);
    ObjectNode text = TextFormat.addTo(chat, body.get("text"));
    JsonNode reasoning = reasoning(chat, body.get("reasoning"));

    ObjectNode echo = JSON.objectNode();
    echo.put("instructions", instructions);
    echo.set("max_output_tokens", body.path("max_output_tokens").isIntegralNumber()
        ? body.get("max_output_tokens") : JSON.nullNode());
    echo.set("metadata", metadata(body.get("metadata")));
    echo.put("parallel_tool_calls", body.path("parallel_tool_calls").asBoolean(true));
    echo.set("reasoning", reasoning);
    echo.set("temperature", absent(body.get("temperature")) ? JSON.nullNode() : body.get("temperature"));
    echo.set("text", text);
    echo.set("tool_choice", tools.choiceEcho());
    echo.set("tools", tools.echo());
    echo.set("top_p", absent(body.get("top_p")) ? JSON.nullNode() : body.get("top_p"));
    if (body.path("user").isTextual()) {
      echo.set("user", body.get("user"));
    }
    return new ResponsesRequest(chat, stream, echo);
  }

  /** Fields accepted and not acted on are still checked, so a malformed one is not silently dropped. */
  private static void checkIgnored(ObjectNode body) {
    optionalBoolean(body, "store", "store");
    optionalObject(body, "stream_options", "stream_options");
    optionalString(body, "service_tier", "service_tier");
    optionalString(body, "prompt_cache_retention", "prompt_cache_retention");
    optionalInteger(body, "max_tool_calls", 0, Long.MAX_VALUE);
    optionalInteger(body, "top_logprobs", 0, 20);
    if (body.path("top_logprobs").asLong(0) > 0) {
      throw invalid("'top_logprobs' is not supported: the Responses API here returns no log probabilities",
          "top_logprobs");
    }
    if ("auto".equals(optionalChoice(body, "truncation", "truncation", List.of("auto", "disabled")))) {
      throw invalid("'truncation': only 'disabled' is supported; a request longer than the model's context "
          + "window is refused", "truncation");
    }
    JsonNode include = body.get("include");
    if (!absent(include)) {
      if (!include.isArray()) {
        throw invalid("Invalid type for 'include': expected an array of strings", "include");
      }
      for (int i = 0; i < include.size(); i++) {
        if (!include.get(i).isTextual()) {
          throw invalid("Invalid type for 'include[" + i + "]': expected a string", "include[" + i + "]");
        }
      }
    }
  }

  /** Chat's {@code reasoning_effort} from {@code reasoning.effort}; the echo. */
  private static JsonNode reasoning(ObjectNode chat, JsonNode reasoning) {
    if (absent(reasoning)) {
      return JSON.nullNode();
    }
    if (!reasoning.isObject()) {
      throw invalid("Invalid type for 'reasoning': expected an object", "reasoning");
    }
    String effort = optionalChoice(reasoning, "effort", "reasoning.effort",
        List.of("none", "minimal", "low", "medium", "high", "xhigh"));
    String summary = optionalChoice(reasoning, "summary", "reasoning.summary", List.of("auto", "concise", "detailed"));
    if (effort != null) {
      chat.put("reasoning_effort", effort);
    }
    ObjectNode echo = JSON.objectNode();
    echo.put("effort", effort).put("summary", summary);
    return echo;
  }

  /** Up to 16 string values, as OpenAI's API allows; echoed, not forwarded. */
  private static ObjectNode metadata(JsonNode metadata) {
    if (absent(metadata)) {
      return JSON.objectNode();
    }
    if (!metadata.isObject()) {
      throw invalid("Invalid type for 'metadata': expected an object of strings", "metadata");
    }
    if (metadata.size() > 16) {
      throw invalid("Invalid 'metadata': expected at most 16 keys", "metadata");
    }
    Map<String, JsonNode> copy = new LinkedHashMap<>();
    metadata.fields().forEachRemaining(entry -> {
      if (!entry.getValue().isTextual()) {
        throw invalid("Invalid type for 'metadata." + entry.getKey() + "': expected a string",
            "metadata." + entry.getKey());
      }
      copy.put(entry.getKey(), entry.getValue());
    });
    return JSON.objectNode().setAll(copy);
  }
}
