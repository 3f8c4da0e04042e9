package dev.silkroute.router.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.chat.ChunkOut;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the exchange's {@code chat.completion.chunk}s into the Responses API's event sequence:
 * {@code response.created}, {@code response.in_progress}, then per output item
 * {@code response.output_item.added}, its content ({@code response.content_part.added},
 * {@code response.output_text.delta}... {@code .done}, {@code response.content_part.done}; or
 * {@code response.function_call_arguments.delta}... {@code .done}) and
 * {@code response.output_item.done}, and last {@code response.completed} (or
 * {@code response.incomplete}, or {@code response.failed} after an error chunk), each numbered by
 * {@code sequence_number}.
 *
 * <p>The final event waits for the usage chunk, which the exchange sends after the finish reason.
 * One thread produces at a time (the {@link ChunkOut} contract), so the state is unguarded.
 */
final class ResponseEvents implements ChunkOut {

  /** Where the events go: a named server-sent event each, then the end of the stream. */
  interface Sink {
    void event(String type, ObjectNode data, boolean more);

    void end();
  }

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final ResponsesRequest request;
  private final String id;
  private final Sink sink;
  private final Clock clock;
  private final List<ObjectNode> pending = new ArrayList<>();
  // Each output item, by output index, in its latest form.
  private final List<ObjectNode> output = new ArrayList<>();
  // Function call items by the chat tool call's index.
  private final Map<Integer, FunctionCall> calls = new TreeMap<>();
  private ObjectNode response;
  private int sequence;
  private TextItem text;
  private String finishReason;
  private JsonNode usage;
  private JsonNode routerFields = JSON.objectNode();
  private String error;

  ResponseEvents(ResponsesRequest request, String id, Sink sink, Clock clock) {
    this.request = request;
    this.id = id;
    this.sink = sink;
    this.clock = clock;
  }

  @Override
  public void chunk(ObjectNode chunk, boolean more) {
    start(chunk.path("model").asText(request.chat().path("model").asText()));
    if (chunk.path("error").isObject()) {
      error = chunk.get("error").path("message").asText("The provider failed while answering");
    }
    for (JsonNode choice : chunk.path("choices")) {
      if (choice.path("index").asInt(0) != 0) {
        continue; // one answer per response: n > 1 has no meaning in this API
      }
      delta(choice.path("delta"));
      if (choice.path("finish_reason").isTextual() && error == null) {
        finishReason = choice.get("finish_reason").asText();
        closeItems();
      }
    }
    if (chunk.path("usage").isObject()) {
      usage = chunk.get("usage");
      routerFields = chunk;
    }
    if (!more) {
      flush(false);
    }
  }

  @Override
  public void done() {
    start(request.chat().path("model").asText());
    closeItems();
    ObjectNode last = response.deepCopy();
    ArrayNode items = (ArrayNode) last.get("output");
    output.forEach(items::add);
    if (error != null) {
      ResponseObject.fail(last, error, usage);
      ResponseObject.copyRouterFields(routerFields, last);
      emit("response.failed", JSON.objectNode().set("response", last));
    } else {
      ResponseObject.finish(last, finishReason, usage, clock.instant().getEpochSecond());
      ResponseObject.copyRouterFields(routerFields, last);
      emit(last.path("status").asText().equals("incomplete") ? "response.incomplete" : "response.completed",
          JSON.objectNode().set("response", last));
    }
    flush(false);
    sink.end();
  }

  private void start(String model) {
    if (response != null) {
      return;
    }
    response = ResponseObject.inProgress(request, id, clock.instant().getEpochSecond(), model);
    emit("response.created", JSON.objectNode().set("response", response.deepCopy()));
    emit("response.in_progress", JSON.objectNode().set("response", response.deepCopy()));
  }

  private void delta(JsonNode delta) {
    for (String field : new String[] {"content", "refusal"}) {
      if (delta.path(field).isTextual() && !delta.get(field).asText().isEmpty()) {
        text().append(delta.get(field).asText());
      }
    }
    for (JsonNode call : delta.path("tool_calls")) {
      int index = call.path("index").asInt(0);
      FunctionCall item = calls.get(index);
      if (item == null) {
        closeText();
        item = new FunctionCall(output.size(), call.path("id").asText(ResponseObject.itemId("call", id, output.size())),
            call.path("function").path("name").asText(""));
        calls.put(index, item);
        item.add();
      }
      String fragment = call.path("function").path("arguments").asText("");
      if (!fragment.isEmpty()) {
        item.append(fragment);
      }
    }
  }

  private TextItem text() {
    if (text == null) {
      text = new TextItem(output.size());
      text.add();
    }
    return text;
  }

  private void closeItems() {
    closeText();
    calls.values().forEach(FunctionCall::close);
  }

  private void closeText() {
    if (text != null) {
      text.close();
      text = null;
    }
  }

  private void emit(String type, ObjectNode data) {
    ObjectNode event = JSON.objectNode().put("type", type);
    event.setAll(data);
    event.put("sequence_number", sequence++);
    pending.add(event);
  }

  /** The events at hand go out together: one write to the socket for a burst. */
  private void flush(boolean more) {
    for (int i = 0; i < pending.size(); i++) {
      sink.event(pending.get(i).get("type").asText(), pending.get(i), more || i < pending.size() - 1);
    }
    pending.clear();
  }

  private String status() {
    return error != null ? "incomplete" : ResponseObject.itemStatus(finishReason);
  }

  /** The assistant's message item with its one output_text part, open while text arrives. */
  private final class TextItem {
    private final int outputIndex;
    private final String itemId;
    private final StringBuilder text = new StringBuilder();

    TextItem(int outputIndex) {
      this.outputIndex = outputIndex;
      this.itemId = ResponseObject.itemId("msg", id, outputIndex);
    }

    void add() {
      ObjectNode item = ResponseObject.messageItem(itemId, "in_progress");
      output.add(item);
      emit("response.output_item.added", JSON.objectNode().put("output_index", outputIndex)
          .set("item", item.deepCopy()));
      emit("response.content_part.added", part().set("part", ResponseObject.textPart("")));
    }

    TextItem append(String delta) {
      text.append(delta);
      ObjectNode event = part().put("delta", delta);
      event.putArray("logprobs");
      emit("response.output_text.delta", event);
      return this;
    }

    void close() {
      ObjectNode done = part().put("text", text.toString());
      done.putArray("logprobs");
      emit("response.output_text.done", done);
      emit("response.content_part.done", part().set("part", ResponseObject.textPart(text.toString())));
      ObjectNode item = ResponseObject.messageItem(itemId, status());
      ((ArrayNode) item.get("content")).add(ResponseObject.textPart(text.toString()));
      output.set(outputIndex, item);
      emit("response.output_item.done", JSON.objectNode().put("output_index", outputIndex).set("item", item.deepCopy()));
    }

    private ObjectNode part() {
      return JSON.objectNode().put("item_id", itemId).put("output_index", outputIndex).put("content_index", 0);
    }
  }

  /** One function_call item, open while its arguments arrive. */
  private final class FunctionCall {
    private final int outputIndex;
    private final String itemId;
    private final String callId;
    private final String name;
    private final StringBuilder arguments = new StringBuilder();
    private boolean closed;

    FunctionCall(int outputIndex, String callId, String name) {
      this.outputIndex = outputIndex;
      this.itemId = ResponseObject.itemId("fc", id, outputIndex);
      this.callId = callId;
      this.name = name;
    }

    void add() {
      ObjectNode item = ResponseObject.functionCallItem(itemId, callId, name, "", "in_progress");
      output.add(item);
      emit("response.output_item.added", JSON.objectNode().put("output_index", outputIndex)
          .set("item", item.deepCopy()));
    }

    void append(String delta) {
      arguments.append(delta);
      emit("response.function_call_arguments.delta", JSON.objectNode().put("item_id", itemId)
          .put("output_index", outputIndex).put("delta", delta));
    }

    void close() {
      if (closed) {
        return;
      }
      closed = true;
      emit("response.function_call_arguments.done", JSON.objectNode().put("item_id", itemId)
          .put("name", name).put("output_index", outputIndex).put("arguments", arguments.toString()));
      ObjectNode item = ResponseObject.functionCallItem(itemId, callId, name, arguments.toString(), status());
      output.set(outputIndex, item);
      emit("response.output_item.done", JSON.objectNode().put("output_index", outputIndex).set("item", item.deepCopy()));
    }
  }
}
