package dev.silkroute.providersim.internal.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.silkroute.providersim.Knobs;
import dev.silkroute.providersim.internal.openai.OpenAiDialect;
import dev.silkroute.providersim.internal.provider.ProviderState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /_admin/providers}, {@code GET /_admin/providers/{name}}, and changing a provider's knobs:
 * {@code POST} merges the given fields into the current knobs, {@code PUT} replaces them (fields left
 * out take their defaults). Changing knobs restarts the provider's fault sequence. Errors use the
 * OpenAI shape.
 */
final class AdminApi {

  static final String PREFIX = "/_admin/providers";

  private final Map<String, ProviderState> providers;

  AdminApi(Map<String, ProviderState> providers) {
    this.providers = providers;
  }

  void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
      if (!method.equals("GET")) {
        fail(exchange, SimError.Kind.METHOD_NOT_ALLOWED, "Use GET on " + PREFIX + ".");
        return;
      }
      ArrayNode list = Json.MAPPER.createArrayNode();
      providers.values().forEach(p -> list.add(describe(p)));
      ObjectNode body = Json.object();
      body.set("providers", list);
      Responses.json(exchange, 200, body);
      return;
    }
    String name = path.substring(PREFIX.length() + 1);
    ProviderState provider = providers.get(name);
    if (provider == null) {
      fail(exchange, SimError.Kind.NOT_FOUND, "No provider '" + name + "'; known: " + providers.keySet());
      return;
    }
    switch (method) {
      case "GET" -> Responses.json(exchange, 200, describe(provider));
      case "PUT", "POST" -> update(exchange, provider, method.equals("PUT"));
      default -> fail(exchange, SimError.Kind.METHOD_NOT_ALLOWED, "Use GET, PUT or POST.");
    }
  }

  private void update(HttpExchange exchange, ProviderState provider, boolean replace) throws IOException {
    JsonNode patch;
    try {
      patch = Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes());
    } catch (JacksonException e) {
      fail(exchange, SimError.Kind.INVALID_REQUEST, "Body is not JSON: " + e.getOriginalMessage());
      return;
    }
    if (patch == null || !patch.isObject()) {
      fail(exchange, SimError.Kind.INVALID_REQUEST, "Body must be a JSON object of knobs.");
      return;
    }
    ObjectNode merged = Json.MAPPER.valueToTree(replace ? Knobs.defaults() : provider.knobs());
    List<String> known = new ArrayList<>();
    merged.fieldNames().forEachRemaining(known::add);
    for (Iterator<String> names = patch.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!known.contains(field)) {
        fail(exchange, SimError.Kind.INVALID_REQUEST, "Unknown knob '" + field + "'; known: " + known);
        return;
      }
    }
    merged.setAll((ObjectNode) patch);
    Knobs knobs;
    try {
      knobs = Json.MAPPER.treeToValue(merged, Knobs.class);
    } catch (JacksonException e) {
      fail(exchange, SimError.Kind.INVALID_REQUEST, rootMessage(e));
      return;
    }
    provider.update(knobs);
    Responses.json(exchange, 200, describe(provider));
  }

  static ObjectNode describe(ProviderState provider) {
    ObjectNode node = Json.object()
        .put("name", provider.name())
        .put("protocol", provider.config().protocol().wireName())
        .put("base_path", "/" + provider.name() + "/v1");
    ArrayNode models = node.putArray("models");
    provider.config().models().forEach(models::add);
    node.set("knobs", Json.MAPPER.valueToTree(provider.knobs()));
    node.put("request_count", provider.requestCount());
    return node;
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof IllegalArgumentException ? cause.getMessage() : e.getMessage();
  }

  private static void fail(HttpExchange exchange, SimError.Kind kind, String message) throws IOException {
    SimError error = new SimError(kind, message, null, null);
    Responses.json(exchange, error.status(), OpenAiDialect.errorBodyOf(error));
  }
}
