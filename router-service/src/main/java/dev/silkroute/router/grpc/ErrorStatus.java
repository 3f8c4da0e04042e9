package dev.silkroute.router.grpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.rpc.ErrorInfo;
import dev.silkroute.router.api.ErrorShape;
import dev.silkroute.router.api.HttpErrors;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterError;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Map;

/**
 * Turns an {@link RouterError} into the gRPC status with the same meaning. The client gets it three
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

  static Status.Code code(ErrorKind kind) {
    return switch (kind) {
      case INVALID_REQUEST -> Status.Code.INVALID_ARGUMENT;
      case UNAUTHENTICATED -> Status.Code.UNAUTHENTICATED;
      case FORBIDDEN -> Status.Code.PERMISSION_DENIED;
      case NOT_FOUND -> Status.Code.NOT_FOUND;
      case UPSTREAM_TIMEOUT -> Status.Code.DEADLINE_EXCEEDED;
      // Credit and rate are quotas; RESOURCE_EXHAUSTED is what gRPC itself answers for a large message.
      case INSUFFICIENT_CREDIT, REQUEST_TOO_LARGE, RATE_LIMITED -> Status.Code.RESOURCE_EXHAUSTED;
      case UPSTREAM_FAILED, UNAVAILABLE -> Status.Code.UNAVAILABLE;
      case INTERNAL -> Status.Code.INTERNAL;
    };
  }

  static StatusRuntimeException of(RouterError error) {
    ErrorInfo.Builder info = ErrorInfo.newBuilder()
        .setReason(error.code() == null ? HttpErrors.openAiType(error.kind()) : error.code())
        .setDomain(DOMAIN)
        .putMetadata("type", HttpErrors.openAiType(error.kind()))
        .putMetadata("http_status", Integer.toString(HttpErrors.status(error.kind())));
    if (error.param() != null) {
      info.putMetadata("param", error.param());
    }
    Object provider = error.metadata().get("provider_name");
    if (provider != null) {
      info.putMetadata("provider_name", provider.toString());
    }
    com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
        .setCode(code(error.kind()).value())
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
