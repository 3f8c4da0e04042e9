package dev.silkroute.router.embeddings;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import dev.silkroute.router.routing.RoutingOptions;
import java.io.IOException;
import java.util.OptionalInt;

/**
 * Turns a body into an {@link EmbeddingRequest}, or an {@link RouterException} (400) naming the field at
 * fault, as OpenAI's API does ({@code param: "input[3]"}). {@code input} is a string or an array of
 * strings; token arrays are refused (the router counts and bills text, and providers disagree on
 * token ids). Fields the router does not read pass through to the provider, as for chat.
 */
public final class EmbeddingRequestParser {

  /** OpenAI's limit of inputs per request. */
  public static final int MAX_INPUTS = 2048;

  private final ObjectMapper json;

  public EmbeddingRequestParser(ObjectMapper json) {
    this.json = json;
  }

  public EmbeddingRequest parse(byte[] body) {
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (JsonProcessingException e) {
      throw invalid("We could not parse the JSON body of your request: " + e.getOriginalMessage(), null);
    } catch (IOException e) {
      throw invalid("We could not read the body of your request", null);
    }
    if (root == null || !root.isObject()) {
      throw invalid("The request body must be a JSON object", null);
    }
    return parse((ObjectNode) root);
  }

  /** A request already in OpenAI's shape as JSON (the gRPC edge builds one); it is the parser's from here on. */
  public EmbeddingRequest parse(ObjectNode request) {
    JsonNode model = request.get("model");
    if (model == null || model.isNull()) {
      throw invalid("Missing required parameter: 'model'", "model");
    }
    if (!model.isTextual() || model.asText().isBlank()) {
      throw invalid("'model' must be a non-empty string", "model");
    }
    JsonNode input = request.get("input");
    if (input == null || input.isNull()) {
      throw invalid("Missing required parameter: 'input'", "input");
    }
    int inputs;
    long chars = 0;
    long bytes = 0;
    if (input.isTextual()) {
      text(input, "input");
      inputs = 1;
      chars = input.asText().length();
      bytes = utf8Length(input.asText());
    } else if (input.isArray()) {
      if (input.isEmpty()) {
        throw invalid("'input' must contain at least one text", "input");
      }
      if (input.size() > MAX_INPUTS) {
        throw invalid("'input' may contain at most " + MAX_INPUTS + " texts, got " + input.size(), "input");
      }
      for (int i = 0; i < input.size(); i++) {
        JsonNode item = input.get(i);
        if (item.isNumber() || item.isArray()) {
          throw tokenArrays(item.isNumber() ? "input" : "input[" + i + "]");
        }
        text(item, "input[" + i + "]");
        chars += item.asText().length();
        bytes += utf8Length(item.asText());
      }
      inputs = input.size();
    } else {
      throw invalid("'input' must be a string or an array of strings", "input");
    }
    JsonNode format = request.get("encoding_format");
    if (format != null && !format.isNull()
        && !(format.isTextual() && (format.asText().equals("float") || format.asText().equals("base64")))) {
      throw invalid("'encoding_format' must be \"float\" or \"base64\"", "encoding_format");
    }
    OptionalInt dimensions = OptionalInt.empty();
    JsonNode dims = request.get("dimensions");
    if (dims != null && !dims.isNull()) {
      if (!dims.isIntegralNumber() || !dims.canConvertToInt() || dims.asInt() < 1) {
        throw invalid("'dimensions' must be a positive integer", "dimensions");
      }
      dimensions = OptionalInt.of(dims.asInt());
    }
    JsonNode user = request.get("user");
    if (user != null && !user.isNull() && !user.isTextual()) {
      throw invalid("'user' must be a string", "user");
    }
    EmbeddingRequest parsed = new EmbeddingRequest(model.asText(), inputs, chars, bytes, dimensions, request);
    RoutingOptions.of(parsed.routing()); // a bad models[] or provider preference is a 400 now, not after admission
    return parsed;
  }

  private static void text(JsonNode item, String param) {
    if (!item.isTextual()) {
      throw invalid("'" + param + "' must be a string", param);
    }
    if (item.asText().isEmpty()) {
      throw invalid("'" + param + "' must not be an empty string", param);
    }
  }

  private static RouterException tokenArrays(String param) {
    return invalid("'" + param + "': token arrays are not supported; send the text as a string or an array of"
        + " strings", param);
  }

  /** UTF-8 length without encoding: 1 byte below U+0080, 2 below U+0800, 4 for a surrogate pair, else 3. */
  private static long utf8Length(String text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return bytes;
  }

  private static RouterException invalid(String message, String param) {
    return new RouterException(RouterError.invalidRequest(message, param));
  }
}
