package dev.silkroute.router.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.api.SseStream;
import dev.silkroute.router.chat.ChunkOut;
import java.util.HashMap;
import java.util.Map;

/**
 * The router's stream of OpenAI {@code chat.completion.chunk}s as Anthropic's event sequence:
 * {@code message_start} and a {@code ping}, then per content block {@code content_block_start},
 * its deltas ({@code thinking_delta}, {@code text_delta}, {@code input_json_delta}) and
 * {@code content_block_stop}, then {@code message_delta} with the stop reason and usage, and
 * {@code message_stop}. A failure after the start is Anthropic's {@code event: error}, which ends the
 * stream.
 *
 * <p>Anthropic's blocks follow one another; OpenAI's deltas may switch between reasoning, text and
 * tool calls at any chunk, so each switch closes the open block and opens the next one.
 */
final class AnthropicEvents implements ChunkOut {

  private enum Kind { THINKING, TEXT, TOOL }

  private final SseStream out;
  private final ObjectMapper json;
  private final AnthropicMessage messages;
  private final String model;

  private boolean started;
  private boolean failed;
  private int blocks;
  private Kind open;
  private int openIndex = -1;
  // OpenAI's tool-call index -> Anthropic's block index
  private final Map<Integer, Integer> toolBlocks = new HashMap<>();
  private String finishReason;
  private JsonNode usage;

  /** @param model the model the client asked for, named in {@code message_start} until a chunk names it */
  AnthropicEvents(SseStream out, ObjectMapper json, String model) {
    this.out = out;
    this.json = json;
    this.messages = new AnthropicMessage(json);
    this.model = model;
  }

  @Override
  public void chunk(ObjectNode chunk, boolean more) {
    if (failed) {
      return; // the usage chunk after an error: the error event already ended the message
    }
    start(chunk);
    if (chunk.hasNonNull("error")) {
      fail(chunk.get("error"));
      out.flush();
      return;
    }
    if (chunk.hasNonNull("usage")) {
      usage = chunk.get("usage");
    }
    for (JsonNode choice : chunk.path("choices")) {
      JsonNode delta = choice.path("delta");
      String reasoning = AnthropicMessage.reasoning(delta);
      if (!reasoning.isEmpty()) {
        open(Kind.THINKING, null);
        delta("thinking_delta", "thinking", reasoning);
      }
      if (delta.path("content").isTextual() && !delta.get("content").asText().isEmpty()) {
        open(Kind.TEXT, null);
        delta("text_delta", "text", delta.get("content").asText());
      }
      for (JsonNode call : delta.path("tool_calls")) {
        toolCall(call);
      }
      if (choice.hasNonNull("finish_reason")) {
        finishReason = choice.get("finish_reason").asText();
        close();
      }
    }
    if (!more) {
      out.flush();
    }
  }

  @Override
  public void done() {
    if (failed) {
      out.end();
      return;
    }
    start(null);
    close();
    ObjectNode delta = json.createObjectNode().put("type", "message_delta");
    delta.putObject("delta").put("stop_reason", AnthropicStopReason.of(finishReason)).putNull("stop_sequence");
    delta.set("usage", messages.usage(usage == null ? json.createObjectNode() : usage));
    event("message_delta", delta);
    event("message_stop", json.createObjectNode().put("type", "message_stop"));
    out.end();
  }

  /** A failure once the response started: Anthropic's error event, then the end of the stream. */
  void failed(Map<String, Object> anthropicError) {
    if (!failed) {
      failed = true;
      event("error", json.valueToTree(anthropicError));
    }
    out.end();
  }

  private void start(JsonNode chunk) {
    if (started) {
      return;
    }
    started = true;
    ObjectNode start = json.createObjectNode().put("type", "message_start");
    ObjectNode message = start.putObject("message");
    message.put("id", chunk == null ? "" : chunk.path("id").asText())
        .put("type", "message").put("role", "assistant")
        .put("model", chunk != null && chunk.path("model").isTextual() ? chunk.get("model").asText() : model);
    message.putArray("content");
    message.putNull("stop_reason").putNull("stop_sequence");
    // The prompt's tokens are known once the upstream reports them: message_delta carries them.
    message.set("usage", messages.usage(json.createObjectNode()));
    event("message_start", start);
    event("ping", json.createObjectNode().put("type", "ping"));
  }

  private void toolCall(JsonNode call) {
    int index = call.path("index").asInt(0);
    Integer block = toolBlocks.get(index);
    if (block == null) {
      ObjectNode contentBlock = json.createObjectNode().put("type", "tool_use")
          .put("id", call.path("id").asText(""))
          .put("name", call.path("function").path("name").asText(""));
      contentBlock.putObject("input");
      contentBlock.putObject("caller").put("type", "direct");
      open(Kind.TOOL, contentBlock);
      toolBlocks.put(index, openIndex);
    } else if (block != openIndex) {
      return; // a fragment for a call whose block was closed: Anthropic's blocks cannot be reopened
    }
    String fragment = call.path("function").path("arguments").asText("");
    if (!fragment.isEmpty()) {
      delta("input_json_delta", "partial_json", fragment);
    }
  }

  /** Makes a block of this kind the open one; a tool call always opens its own. */
  private void open(Kind kind, ObjectNode toolBlock) {
    if (open == kind && kind != Kind.TOOL) {
      return;
    }
    close();
    ObjectNode contentBlock = switch (kind) {
      case THINKING -> json.createObjectNode().put("type", "thinking").put("thinking", "").put("signature", "");
      case TEXT -> json.createObjectNode().put("type", "text").put("text", "").putNull("citations");
      case TOOL -> toolBlock;
    };
    open = kind;
    openIndex = blocks++;
    ObjectNode start = json.createObjectNode().put("type", "content_block_start").put("index", openIndex);
    start.set("content_block", contentBlock);
    event("content_block_start", start);
  }

  private void close() {
    if (open == null) {
      return;
    }
    event("content_block_stop", json.createObjectNode().put("type", "content_block_stop").put("index", openIndex));
    open = null;
  }

  private void delta(String type, String field, String value) {
    ObjectNode delta = json.createObjectNode().put("type", "content_block_delta").put("index", openIndex);
    delta.putObject("delta").put("type", type).put(field, value);
    event("content_block_delta", delta);
  }

  private void fail(JsonNode error) {
    ObjectNode body = json.createObjectNode().put("type", "error");
    String type = "upstream_error".equals(error.path("type").asText()) ? "overloaded_error" : "api_error";
    body.putObject("error").put("type", type).put("message", error.path("message").asText("The answer failed"));
    failed = true;
    event("error", body);
  }

  /** Held until the chunk's events are all written: one chunk, one write. */
  private void event(String name, ObjectNode data) {
    out.event(name, data, true);
  }
}
