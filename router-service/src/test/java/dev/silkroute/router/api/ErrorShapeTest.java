package dev.silkroute.router.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterError;
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
  void speaksOpenRouterUnderApiAndOpenAiElsewhere() {
    assertThat(ErrorShape.forPath("/api/v1/chat/completions")).isEqualTo(ErrorShape.OPENROUTER);
    assertThat(ErrorShape.forPath("/api/v1/nothing")).isEqualTo(ErrorShape.OPENROUTER);
    assertThat(ErrorShape.forPath("/v1/chat/completions")).isEqualTo(ErrorShape.OPENAI);
    assertThat(ErrorShape.forPath("/apiary")).isEqualTo(ErrorShape.OPENAI);
    assertThat(ErrorShape.forPath(null)).isEqualTo(ErrorShape.OPENAI);
  }
}
