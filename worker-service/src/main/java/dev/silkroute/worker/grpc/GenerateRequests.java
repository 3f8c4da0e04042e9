package dev.silkroute.worker.grpc;

import dev.silkroute.proto.v1.GenerateRequest;
import dev.silkroute.worker.engine.ChatMessage;
import dev.silkroute.worker.engine.GenerationRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.OptionalLong;

/** Checks a {@link GenerateRequest} and turns it into the core's {@link GenerationRequest}. */
final class GenerateRequests {
  private final int defaultMaxTokens;

  /** @param defaultMaxTokens used when the caller leaves max_tokens at 0 (unset) */
  GenerateRequests(int defaultMaxTokens) {
    if (defaultMaxTokens < 1) {
      throw new IllegalArgumentException("defaultMaxTokens must be >= 1, was " + defaultMaxTokens);
    }
    this.defaultMaxTokens = defaultMaxTokens;
  }

  /** @throws StatusRuntimeException INVALID_ARGUMENT naming the bad field */
  GenerationRequest toCore(GenerateRequest request) {
    if (request.getModel().isBlank()) {
      throw invalid("model must not be empty");
    }
    if (request.getMessagesCount() == 0) {
      throw invalid("messages must not be empty");
    }
    if (request.getMaxTokens() < 0) {
      throw invalid("max_tokens must be >= 0 (0 = worker default), was " + request.getMaxTokens());
    }
    if (request.hasTemperature() && !(request.getTemperature() >= 0 && request.getTemperature() <= 2)) {
      throw invalid("temperature must be between 0 and 2, was " + request.getTemperature());
    }
    if (request.hasTopP() && !(request.getTopP() > 0 && request.getTopP() <= 1)) {
      throw invalid("top_p must be in (0, 1], was " + request.getTopP());
    }
    return new GenerationRequest(
        request.getRequestId(),
        request.getModel(),
        request.getMessagesList().stream().map(m -> new ChatMessage(m.getRole(), m.getContent())).toList(),
        request.getMaxTokens() == 0 ? defaultMaxTokens : request.getMaxTokens(),
        request.hasTemperature() ? request.getTemperature() : null,
        request.hasTopP() ? request.getTopP() : null,
        request.hasSeed() ? OptionalLong.of(request.getSeed()) : OptionalLong.empty(),
        request.getStopList(),
        request.getPrefixList(),
        request.getPrefixBlockTokens());
  }

  private static StatusRuntimeException invalid(String description) {
    return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
  }
}
