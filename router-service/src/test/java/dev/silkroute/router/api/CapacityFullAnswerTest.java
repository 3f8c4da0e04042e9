package dev.silkroute.router.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.router.chat.Answers;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.provider.UpstreamException;
import io.micronaut.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a client is told when every worker that could serve its request is at capacity. */
class CapacityFullAnswerTest {

  @Test
  void aFullPoolIsAnswered503CapacityFullWithRetryAfterOneSecond() {
    RouterError error = Answers.allFailed(UpstreamException.atCapacity("silkroute", "worker w-2 is full"));

    assertThat(error.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
    assertThat(error.code()).isEqualTo("capacity_full");
    HttpResponse<?> response = RouterExceptionHandler.respond(error, ErrorShape.OPENAI);
    assertThat(response.getStatus().getCode()).isEqualTo(503);
    assertThat(response.getHeaders().get("Retry-After")).isEqualTo("1");
    @SuppressWarnings("unchecked")
    Map<String, Object> body = (Map<String, Object>) ((Map<String, Object>) response.body()).get("error");
    assertThat(body).containsEntry("type", "service_unavailable").containsEntry("code", "capacity_full");
    assertThat((String) body.get("message")).contains("silkroute").contains("at capacity");
  }

  @Test
  void aProviderThatFailedIsStillAnUpstreamError() {
    RouterError error = Answers.allFailed(new UpstreamException("groq", 500, "boom", "{}", null));

    assertThat(error.kind()).isEqualTo(ErrorKind.UPSTREAM_FAILED);
    assertThat(RouterExceptionHandler.respond(error, ErrorShape.OPENAI).getHeaders().get("Retry-After")).isNull();
  }
}
