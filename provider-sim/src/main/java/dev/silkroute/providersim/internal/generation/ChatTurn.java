package dev.silkroute.providersim.internal.generation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.OptionalLong;

/**
 * A chat request reduced to what the simulator answers from, whichever protocol it came in.
 *
 * @param maxTokens cap on completion tokens, empty = none
 * @param includeUsage OpenAI {@code stream_options.include_usage}
 */
public record ChatTurn(
    String model,
    List<Message> messages,
    List<Tool> tools,
    ToolChoice toolChoice,
    OptionalLong maxTokens,
    boolean stream,
    boolean includeUsage) {

  public ChatTurn {
    messages = List.copyOf(messages);
    tools = List.copyOf(tools);
  }

  /** One message; {@code text} holds everything countable (text parts, tool arguments, tool results). */
  public record Message(String role, String text, boolean toolResult) {}

  /** A callable tool and the JSON schema of its arguments (may be a missing node). */
  public record Tool(String name, JsonNode schema) {}

  /** How the request constrains tool use. */
  public record ToolChoice(Mode mode, String name) {
    public enum Mode { AUTO, NONE, ANY, NAMED }

    public static final ToolChoice AUTO = new ToolChoice(Mode.AUTO, null);
  }

  /** Prompt tokens by the rule in {@link TokenCount}; tool definitions count as text too. */
  public long promptTokens() {
    long tokens = 0;
    for (Message message : messages) {
      tokens += TokenCount.PER_MESSAGE + TokenCount.ofText(message.text());
    }
    for (Tool tool : tools) {
      tokens += TokenCount.ofText(tool.name()) + TokenCount.ofText(tool.schema().toString());
    }
    return Math.max(1, tokens);
  }

  /** True when the conversation ends with a tool's result: the model then answers in text. */
  public boolean endsWithToolResult() {
    return !messages.isEmpty() && messages.get(messages.size() - 1).toolResult();
  }
}
