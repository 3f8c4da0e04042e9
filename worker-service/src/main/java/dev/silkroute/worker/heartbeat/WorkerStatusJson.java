package dev.silkroute.worker.heartbeat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.FieldDescriptor;
import dev.silkroute.proto.v1.WorkerStatus;

/**
 * {@link WorkerStatus} as JSON, the heartbeat's format. Field names are the proto3 JSON names
 * (lowerCamelCase: {@code workerId}, {@code kvCacheUse}, ...), every field is written, defaults
 * included, and int64 fields are JSON numbers; protobuf's {@code JsonFormat.parser()} reads this
 * as well as Jackson does. (protobuf-java-util is not available here, so Jackson writes it.)
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

  public WorkerStatus read(String text) {
    JsonNode node;
    try {
      node = json.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a WorkerStatus JSON: " + e.getOriginalMessage(), e);
    }
    WorkerStatus.Builder builder = WorkerStatus.newBuilder();
    for (FieldDescriptor field : WorkerStatus.getDescriptor().getFields()) {
      JsonNode value = node.get(field.getJsonName());
      if (value == null || value.isNull()) {
        continue;
      }
      if (field.isRepeated()) {
        value.forEach(v -> builder.addRepeatedField(field, scalar(field, v)));
      } else {
        builder.setField(field, scalar(field, value));
      }
    }
    return builder.build();
  }

  private static Object scalar(FieldDescriptor field, JsonNode value) {
    return switch (field.getJavaType()) {
      case STRING -> value.asText();
      case INT -> value.asInt();
      case LONG -> value.asLong();
      case DOUBLE -> value.asDouble();
      case FLOAT -> (float) value.asDouble();
      case BOOLEAN -> value.asBoolean();
      default -> throw new IllegalStateException("WorkerStatus has no " + field.getJavaType() + " fields: " + field);
    };
  }
}
