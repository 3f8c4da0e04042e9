package dev.silkroute.router.workers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Descriptors.FieldDescriptor;
import dev.silkroute.proto.v1.WorkerStatus;

/**
 * Reads a worker's heartbeat: {@link WorkerStatus} as JSON with proto3 JSON field names (worker-service
 * writes every field). Unknown fields are ignored, so workers may add fields before routers know them.
 * (protobuf-java-util's JsonFormat is not available here; the descriptor walk does the same.)
 */
final class WorkerReports {

  private final ObjectMapper json;

  WorkerReports(ObjectMapper json) {
    this.json = json;
  }

  /** @throws IllegalArgumentException when the text is not a WorkerStatus */
  WorkerStatus read(String text) {
    JsonNode node;
    try {
      node = json.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("heartbeat is not JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("heartbeat is not a JSON object");
    }
    WorkerStatus.Builder status = WorkerStatus.newBuilder();
    for (FieldDescriptor field : WorkerStatus.getDescriptor().getFields()) {
      JsonNode value = node.get(field.getJsonName());
      if (value == null || value.isNull()) {
        continue;
      }
      if (field.isRepeated()) {
        value.forEach(v -> status.addRepeatedField(field, scalar(field, v)));
      } else {
        status.setField(field, scalar(field, value));
      }
    }
    if (status.getWorkerId().isEmpty() || status.getAddress().isEmpty()) {
      throw new IllegalArgumentException("heartbeat has no workerId or address");
    }
    return status.build();
  }

  private static Object scalar(FieldDescriptor field, JsonNode value) {
    return switch (field.getJavaType()) {
      case STRING -> value.asText();
      case INT -> value.asInt();
      case LONG -> value.asLong();
      case DOUBLE -> value.asDouble();
      case FLOAT -> (float) value.asDouble();
      case BOOLEAN -> value.asBoolean();
      default -> throw new IllegalArgumentException("unexpected field type " + field.getJavaType() + ": " + field);
    };
  }
}
