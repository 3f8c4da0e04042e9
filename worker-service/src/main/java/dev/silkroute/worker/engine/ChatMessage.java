package dev.silkroute.worker.engine;

import java.util.Objects;

/** One turn of the conversation, as the router sends it. */
public record ChatMessage(String role, String content) {
  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }
}
