package dev.silkroute.worker.heartbeat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.silkroute.proto.v1.WorkerStatus;

/**
 * {@link WorkerStatus} as JSON, the heartbeat's format. Field names are the proto3 JSON names
 * (lowerCamelCase: {@code workerId}, {@code kvCacheUse}, ...), every field is written, defaults
 * included, and int64 fields are JSON numbers (JsonFormat's printer would write them as strings,
 * which tools reading the heartbeat out of Redis would have to unquote); JsonFormat's parser reads it.
 */
public final class WorkerStatusJson {
  private final ObjectMapper json;

  public WorkerStatusJson(ObjectMapper json) {
    this.json = json;
  }

  public String write(WorkerStatus status) {
    ObjectNode node = json.createObjectNode();
    for (FieldDescriptor field : WorkerStatus.getDescriptor().getFields()) {
      Object value = status.getField(field);
      if (field.isRepeated()) {
        ArrayNode array = node.putArray(field.getJsonName());
        ((Iterable<?>) value).forEach(v -> array.add(json.valueToTree(v)));
      } else {
        node.set(field.getJsonName(), json.valueToTree(value));
      }
    }
    return node.toString();
  }

  /** Reads a heartbeat back (protobuf's own proto3 JSON parser; it takes int64 as numbers too). */
  public WorkerStatus read(String text) {
    WorkerStatus.Builder builder = WorkerStatus.newBuilder();
    try {
      JsonFormat.parser().ignoringUnknownFields().merge(text, builder);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a WorkerStatus JSON: " + e.getMessage(), e);
    }
    return builder.build();
  }
}
