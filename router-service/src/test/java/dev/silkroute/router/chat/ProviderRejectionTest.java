package dev.silkroute.router.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.provider.UpstreamException;
import org.junit.jupiter.api.Test;

class ProviderRejectionTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void answersAProviders400As400WithItsMessageParamAndRawBody() {
    String raw = "{\"error\":{\"message\":\"Invalid type for 'tools': expected an array.\","
        + "\"type\":\"invalid_request_error\",\"param\":\"tools\",\"code\":null}}";

    RouterError error = ProviderRejection.of(failure(400, raw), JSON).orElseThrow();

    assertThat(error.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
    assertThat(error.message())
        .isEqualTo("Provider deepseek rejected the request: Invalid type for 'tools': expected an array.");
    assertThat(error.param()).isEqualTo("tools");
    assertThat(error.metadata()).containsEntry("provider_name", "deepseek").containsEntry("raw", raw)
        .containsEntry("upstream_status", 400);
  }

  @Test
  void keepsABodyOverTheProvidersLimitA413AndToleratesABodyThatIsNotJson() {
    RouterError error = ProviderRejection.of(failure(413, "<html>too large</html>"), JSON).orElseThrow();

    assertThat(error.kind()).isEqualTo(ErrorKind.REQUEST_TOO_LARGE);
    assertThat(error.message()).endsWith("provider answered HTTP 413");
    assertThat(error.param()).isNull();
  }

  @Test
  void leavesProviderFailuresToFallback() {
    assertThat(ProviderRejection.of(failure(500, "{}"), JSON)).isEmpty();
    assertThat(ProviderRejection.of(failure(429, "{}"), JSON)).isEmpty();
    assertThat(ProviderRejection.of(failure(401, "{}"), JSON)).isEmpty();
    assertThat(ProviderRejection.of(failure(0, null), JSON)).isEmpty();
  }

  private static UpstreamException failure(int status, String body) {
    return new UpstreamException("deepseek", status, "provider answered HTTP " + status, body, null);
  }
}
