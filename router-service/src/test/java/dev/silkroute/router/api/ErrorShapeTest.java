package dev.silkroute.router.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorShapeTest {

  private static final RouterError NO_CREDIT = new RouterError(ErrorKind.INSUFFICIENT_CREDIT, "Not enough credit",
      "model",
      "insufficient_credit", Map.of("required_usd", "0.01"));

  @Test
  void writesOpenAisShapeWithAStringCode() {
    @SuppressWarnings("unchecked")
    Map<String, Object> error = (Map<String, Object>) ErrorShape.OPENAI.body(NO_CREDIT).get("error");

    assertThat(error).containsExactly(Map.entry("message", "Not enough credit"),
        Map.entry("type", "insufficient_quota"), Map.entry("param", "model"), Map.entry("code", "insufficient_credit"),
        Map.entry("metadata", Map.of("required_usd", "0.01")));
  }

  @Test
  void writesOpenRoutersShapeWithTheStatusAsCodeAndTheParamInMetadata() {
    @SuppressWarnings("unchecked")
    Map<String, Object> error = (Map<String, Object>) ErrorShape.OPENROUTER.body(NO_CREDIT).get("error");

    assertThat(error).containsOnlyKeys("code", "message", "metadata");
    assertThat(error.get("code")).isEqualTo(402);
    assertThat(error.get("message")).isEqualTo("Not enough credit");
    assertThat(error.get("metadata")).isEqualTo(Map.of("required_usd", "0.01", "param", "model"));
  }

  @Test
  void leavesMetadataOutOfOpenRoutersShapeWhenThereIsNone() {
    @SuppressWarnings("unchecked")
    Map<String, Object> error = (Map<String, Object>) ErrorShape.OPENROUTER.body(RouterError.unauthorized("no key"))
        .get("error");

    assertThat(error).containsOnlyKeys("code", "message");
    assertThat(error.get("code")).isEqualTo(401);
  }

  @Test
  void writesOpenRoutersShapeAsItsPublishedSchemasDescribeEveryStatus() {
    ObjectMapper json = new ObjectMapper();
    for (RouterError error : List.of(NO_CREDIT, RouterError.unauthorized("no key"), RouterError.modelNotFound("a/b"),
        RouterError.invalidRequest("bad", "messages"), new RouterError(ErrorKind.RATE_LIMITED, "slow down", null,
            "rate_limited", Map.of("retry_after_seconds", 3)),
        RouterError.upstreamFailed("every provider failed", Map.of("attempts", 2)))) {
      OpenRouterSchemas.assertError(HttpErrors.status(error.kind()),
          json.valueToTree(ErrorShape.OPENROUTER.body(error)));
    }
    // The schemas do tell: OpenAI's shape, with its string code, is not OpenRouter's.
    assertThat(OpenRouterSchemas.isValid("BadRequestResponse",
        json.valueToTree(ErrorShape.OPENAI.body(RouterError.invalidRequest("bad", "messages"))))).isFalse();
  }

  @Test
  void writesAnthropicsShapeWithItsErrorTypeForTheStatus() {
    Map<String, Object> body = ErrorShape.ANTHROPIC.body(NO_CREDIT);

    assertThat(body).containsExactly(Map.entry("type", "error"),
        Map.entry("error", Map.of("type", "billing_error", "message", "Not enough credit")));
  }

  @Test
  void answersNoFreeEndpointAndEveryProviderFailingAsAnthropicsOverloaded529() {
    RouterError allFailed = RouterError.upstreamFailed("Every provider failed", Map.of());
    RouterError none = new RouterError(ErrorKind.UNAVAILABLE, "No endpoint", null, "no_endpoint_available");
    RouterError late = new RouterError(ErrorKind.UPSTREAM_TIMEOUT, "Too slow", null, "timeout");

    assertThat(ErrorShape.ANTHROPIC.status(allFailed)).isEqualTo(529);
    assertThat(ErrorShape.ANTHROPIC.status(none)).isEqualTo(529);
    assertThat(((Map<?, ?>) ErrorShape.ANTHROPIC.body(none).get("error")).get("type")).isEqualTo("overloaded_error");
    assertThat(ErrorShape.ANTHROPIC.status(late)).isEqualTo(504);
    assertThat(((Map<?, ?>) ErrorShape.ANTHROPIC.body(late).get("error")).get("type")).isEqualTo("timeout_error");
    assertThat(ErrorShape.ANTHROPIC.status(NO_CREDIT)).isEqualTo(402);
    assertThat(ErrorShape.OPENAI.status(allFailed)).isEqualTo(502);
  }

  @Test
  void speaksAnthropicOnTheMessagesPathsUnderEitherBaseUrl() {
    assertThat(ErrorShape.forPath("/v1/messages")).isEqualTo(ErrorShape.ANTHROPIC);
    assertThat(ErrorShape.forPath("/api/v1/messages/count_tokens")).isEqualTo(ErrorShape.ANTHROPIC);
  }

  @Test
  void speaksOpenRouterUnderApiAndOpenAiElsewhere() {
    assertThat(ErrorShape.forPath("/api/v1/chat/completions")).isEqualTo(ErrorShape.OPENROUTER);
    assertThat(ErrorShape.forPath("/api/v1/nothing")).isEqualTo(ErrorShape.OPENROUTER);
    assertThat(ErrorShape.forPath("/v1/chat/completions")).isEqualTo(ErrorShape.OPENAI);
    assertThat(ErrorShape.forPath("/apiary")).isEqualTo(ErrorShape.OPENAI);
    assertThat(ErrorShape.forPath(null)).isEqualTo(ErrorShape.OPENAI);
  }
}
