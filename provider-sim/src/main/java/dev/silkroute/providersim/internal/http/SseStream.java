package dev.silkroute.providersim.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Server-sent events onto a chunked response; every event is flushed so that it leaves at once. */
public final class SseStream {

  private final OutputStream out;

  SseStream(OutputStream out) {
    this.out = out;
  }

  /** {@code data: json} (OpenAI style, no event name). */
  public void data(JsonNode json) throws IOException {
    write("data: " + Json.MAPPER.writeValueAsString(json) + "\n\n");
  }

  /** {@code event: name} + {@code data: json} (Anthropic style). */
  public void event(String name, JsonNode json) throws IOException {
    write("event: " + name + "\ndata: " + Json.MAPPER.writeValueAsString(json) + "\n\n");
  }

  public void done() throws IOException {
    write("data: [DONE]\n\n");
  }

  private void write(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
