package dev.silkroute.providersim.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.silkroute.providersim.Protocol;
import dev.silkroute.providersim.internal.generation.Completion;
import java.io.IOException;

/** One provider protocol: how requests are authenticated and parsed, and how answers look. */
public interface Dialect {

  Protocol protocol();

  /** Prefix of the ids of responses ({@code chatcmpl-}, {@code msg_}). */
  String idPrefix();

  /** Response header carrying the request id. */
  String requestIdHeader();

  boolean presentsKey(HttpExchange exchange, String requiredKey);

  ObjectNode errorBody(SimError error);

  ParsedRequest parse(JsonNode body);

  ObjectNode render(ResponseMeta meta, Completion completion);

  /** Streams {@code completion}, calling the gate before each piece and before the end. */
  void stream(SseStream out, ResponseMeta meta, Completion completion, TokenGate gate)
      throws IOException, InterruptedException;

  /**
   * @param id full response id, e.g. {@code chatcmpl-1a2b...}
   * @param created Unix seconds
   * @param includeUsage OpenAI: send a usage chunk at the end of a stream
   */
  record ResponseMeta(String id, long created, String model, boolean includeUsage) {}

  /** Paces tokens and drops the connection where the stream-cut knob says. */
  interface TokenGate {
    void beforeToken(int index) throws InterruptedException, IOException;

    void beforeEnd() throws IOException;
  }
}
