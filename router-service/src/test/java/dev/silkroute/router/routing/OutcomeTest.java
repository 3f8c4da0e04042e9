package dev.silkroute.router.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.router.provider.UpstreamException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class OutcomeTest {

  private static UpstreamException failure(int status) {
    return new UpstreamException("p", status, "failed", null, null);
  }

  @Test
  void classifiesUpstreamFailuresByStatus() {
    assertThat(Outcome.of(failure(500))).isEqualTo(Outcome.PROVIDER_ERROR);
    assertThat(Outcome.of(failure(0))).isEqualTo(Outcome.PROVIDER_ERROR);
    assertThat(Outcome.of(failure(401))).isEqualTo(Outcome.PROVIDER_ERROR);
    assertThat(Outcome.of(failure(429))).isEqualTo(Outcome.RATE_LIMITED);
    assertThat(Outcome.of(failure(400))).isEqualTo(Outcome.CALLER_ERROR);
    assertThat(Outcome.of(failure(413))).isEqualTo(Outcome.CALLER_ERROR);
  }

  @Test
  void aWorkerAtCapacityIsNeitherAFailureNorARateLimitAndSaysNothingAboutUptime() {
    UpstreamException full = UpstreamException.atCapacity("pool", "worker w is full");

    assertThat(Outcome.of(full)).isEqualTo(Outcome.AT_CAPACITY);
    assertThat(Outcome.AT_CAPACITY.countsForUptime()).isFalse();
    assertThat(Outcome.of(failure(429))).as("a provider's own 429 stays a rate limit").isEqualTo(Outcome.RATE_LIMITED);
  }

  @Test
  void aBodyThatBrokeAfterA200IsTheProvidersFaultNotASuccess() {
    UpstreamException cut = new UpstreamException("p", 200, "provider's answer could not be read", null,
        new IOException("connection reset"));

    assertThat(Outcome.of(cut)).isEqualTo(Outcome.PROVIDER_ERROR);
    assertThat(Outcome.ofStatus(200)).isEqualTo(Outcome.OK);
  }
}
