package dev.silkroute.router.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.provider.ChunkSink;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns one Anthropic event stream ({@code message_start}, {@code content_block_*}, {@code
 * message_delta}, {@code message_stop}) into OpenAI {@code chat.completion.chunk}s. Tool calls are
 * numbered in the order their blocks start, as OpenAI's {@code tool_calls[].index}; their
 * {@code input_json_delta} fragments become argument fragments of that index. One instance per stream.
 */
final class MessagesStream {

  private final ObjectMapper json;
  private final ChunkSink sink;
  private final long created;
  private final Map<Integer, Integer> toolIndexByBlock = new HashMap<>();
  private String id = "";
  private String model = "";
  private MessagesUsage usage = MessagesUsage.NONE;
  private String finishReason;
  private boolean stopped;
  private ObjectNode pending;

  MessagesStream(ObjectMapper json, Clock clock, ChunkSink sink) {
    this.json = json;
    this.sink = sink;
    this.created = clock.instant().getEpochSecond();
  }

  /**
   * Handles one event's data. Returns the event's {@code error} object when the provider reported a
   * failure mid-stream, else null.
   */
  JsonNode accept(JsonNode event) {
    switch (event.path("type").asText()) {
      case "message_start" -> {
        JsonNode message = event.path("message");
        id = message.path("id").asText();
        model = message.path("model").asText();
        usage = MessagesUsage.from(message.get("usage"));
        delta().put("role", "assistant").put("content", "");
        emitLastDelta();
      }
      case "content_block_start" -> blockStart(event.path("index").asInt(), event.path("content_block"));
      case "content_block_delta" -> blockDelta(event.path("index").asInt(), event.path("delta"));
      case "message_delta" -> {
        usage = usage.update(event.get("usage"));
        String nativeReason = event.path("delta").path("stop_reason").asText(null);
        if (nativeReason != null) {
          finishReason = StopReason.toFinishReason(nativeReason);
          ObjectNode chunk = chunk();
          chunk.putArray("choices").addObject().put("index", 0).put("finish_reason", finishReason)
              .put("native_finish_reason", nativeReason).putObject("delta");
          sink.chunk(chunk);
        }
      }
      case "message_stop" -> stopped = true;
      case "error" -> {
        return event.path("error");
      }
      default -> { } // ping, content_block_stop, and event types added after this was written
    }
    return null;
  }

  private void blockStart(int block, JsonNode content) {
    switch (content.path("type").asText()) {
      case "text" -> {
        if (!content.path("text").asText().isEmpty()) {
          delta().put("content", content.get("text").asText());
          emitLastDelta();
        }
      }
      case "tool_use" -> {
        int index = toolIndexByBlock.size();
        toolIndexByBlock.put(block, index);
        ObjectNode call = delta().putArray("tool_calls").addObject().put("index", index)
            .put("id", content.path("id").asText()).put("type", "function");
        call.putObject("function").put("name", content.path("name").asText()).put("arguments", "");
        emitLastDelta();
      }
      default -> { }
    }
  }

  private void blockDelta(int block, JsonNode delta) {
    switch (delta.path("type").asText()) {
      case "text_delta" -> delta().put("content", delta.path("text").asText());
      case "thinking_delta" -> delta().put("reasoning", delta.path("thinking").asText());
      case "input_json_delta" -> {
        Integer index = toolIndexByBlock.get(block);
        if (index == null) {
          return;
        }
        delta().putArray("tool_calls").addObject().put("index", index)
            .putObject("function").put("arguments", delta.path("partial_json").asText());
      }
      default -> {
        return; // signature_delta and the like carry nothing an OpenAI client reads
      }
    }
    emitLastDelta();
  }

  /** A new chunk with one choice; its delta is returned for filling, then sent by emitLastDelta. */
  private ObjectNode delta() {
    pending = chunk();
    return pending.putArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta");
  }

  private void emitLastDelta() {
    sink.chunk(pending);
    pending = null;
  }

  private ObjectNode chunk() {
    return json.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
        .put("created", created).put("model", model);
  }

  boolean stopped() {
    return stopped;
  }

  String finishReason() {
    return finishReason;
  }

  MessagesUsage usage() {
    return usage;
  }
}
