package dev.silkroute.router.grpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.rpc.ErrorInfo;
import dev.silkroute.router.api.ErrorShape;
import dev.silkroute.router.core.ApiError;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Map;

/**
 * Turns an {@link ApiError} into the gRPC status with the same meaning. The client gets it three
 * ways: the status code and description (the message), a {@code google.rpc.ErrorInfo} detail
 * (reason = OpenAI's code; metadata = type, param, HTTP status, provider), and the whole OpenAI
 * error object as JSON in the {@code silkroute-error} trailer, exactly as HTTP clients see it.
 */
final class ErrorStatus {

  static final Metadata.Key<String> OPENAI_ERROR = Metadata.Key.of("silkroute-error",
      Metadata.ASCII_STRING_MARSHALLER);
  static final String DOMAIN = "silkroute.dev";

  /** ASCII metadata values cannot carry raw UTF-8, so everything else is escaped as JSON allows. */
  private static final ObjectMapper ASCII_JSON = JsonMapper.builder()
      .enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  private ErrorStatus() {
  }

  static Status.Code code(int httpStatus) {
    return switch (httpStatus) {
      case 400, 422 -> Status.Code.INVALID_ARGUMENT;
      case 401 -> Status.Code.UNAUTHENTICATED;
      case 403 -> Status.Code.PERMISSION_DENIED;
      case 404 -> Status.Code.NOT_FOUND;
      case 408, 504 -> Status.Code.DEADLINE_EXCEEDED;
      // 402 (credits) and 429 (rate) are quotas; 413 is what gRPC itself answers for a large message.
      case 402, 413, 429 -> Status.Code.RESOURCE_EXHAUSTED;
      case 502, 503 -> Status.Code.UNAVAILABLE;
      default -> httpStatus >= 500 ? Status.Code.INTERNAL : Status.Code.INVALID_ARGUMENT;
    };
  }

  static StatusRuntimeException of(ApiError error) {
    ErrorInfo.Builder info = ErrorInfo.newBuilder()
        .setReason(error.code() == null ? error.type() : error.code())
        .setDomain(DOMAIN)
        .putMetadata("type", error.type())
        .putMetadata("http_status", Integer.toString(error.status()));
    if (error.param() != null) {
      info.putMetadata("param", error.param());
    }
    Object provider = error.metadata().get("provider_name");
    if (provider != null) {
      info.putMetadata("provider_name", provider.toString());
    }
    com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
        .setCode(code(error.status()).value())
        .setMessage(error.message())
        .addDetails(com.google.protobuf.Any.pack(info.build()))
        .build();
    Metadata trailers = new Metadata();
    trailers.put(OPENAI_ERROR, asciiJson(ErrorShape.OPENAI.body(error)));
    return StatusProto.toStatusRuntimeException(status, trailers);
  }

  private static String asciiJson(Map<String, Object> body) {
    try {
      return ASCII_JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an error body is plain maps and strings", e);
    }
  }
}
