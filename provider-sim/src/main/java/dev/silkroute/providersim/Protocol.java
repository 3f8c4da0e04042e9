package dev.silkroute.providersim;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;

/** The wire protocol(s) a simulated provider answers under its base path. */
public enum Protocol {
  /** OpenAI Chat Completions: {@code POST /{name}/v1/chat/completions}. */
  OPENAI("openai"),
  /** Anthropic Messages: {@code POST /{name}/v1/messages}. */
  ANTHROPIC("anthropic"),
  /** Both of the above under the same base path (handy for aggregators such as OpenRouter). */
  BOTH("both");

  private final String wireName;

  Protocol(String wireName) {
    this.wireName = wireName;
  }

  @JsonValue
  public String wireName() {
    return wireName;
  }

  /** Whether a provider configured with this protocol answers requests in {@code requested} shape. */
  public boolean serves(Protocol requested) {
    return this == BOTH || this == requested;
  }

  @JsonCreator
  public static Protocol of(String name) {
    String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(p -> p.wireName.equals(wanted))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "protocol must be one of openai, anthropic, both but was '" + name + "'"));
  }
}
