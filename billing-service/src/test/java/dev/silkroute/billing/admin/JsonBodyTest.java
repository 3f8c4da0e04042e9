package dev.silkroute.billing.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class JsonBodyTest {

  @Test
  void readsAPositiveWholeAmount() {
    assertThat(JsonBody.parse("{\"amount_micros\": 5000000}").requiredPositiveLong("amount_micros"))
        .isEqualTo(5_000_000L);
  }

  @Test
  void refusesAmountsThatAreNotPositiveWholeMicroDollars() {
    for (String body : new String[] {"{\"amount_micros\": 1.5}", "{\"amount_micros\": \"5\"}",
        "{\"amount_micros\": 0}", "{\"amount_micros\": -3}", "{\"amount_micros\": 1e30}",
        "{\"amount_micros\": 99999999999999999999}", "{}", "{\"amount_micros\": null}"}) {
      assertBadRequest(() -> JsonBody.parse(body).requiredPositiveLong("amount_micros"),
          "amount_micros");
    }
  }

  @Test
  void refusesMalformedJsonAndNonObjects() {
    assertBadRequest(() -> JsonBody.parse("{\"name\": "), null);
    assertBadRequest(() -> JsonBody.parse("[1,2]"), null);
    assertBadRequest(() -> JsonBody.parse("\"name\""), null);
  }

  @Test
  void treatsAnEmptyBodyAsAnEmptyObject() {
    assertThat(JsonBody.parse("").optionalText("label", 10)).isNull();
    assertThat(JsonBody.parse(null).optionalText("label", 10)).isNull();
  }

  @Test
  void checksTextFields() {
    assertThat(JsonBody.parse("{\"name\": \"  Acme  \"}").requiredText("name", 10)).isEqualTo("Acme");
    assertBadRequest(() -> JsonBody.parse("{\"name\": \" \"}").requiredText("name", 10), "name");
    assertBadRequest(() -> JsonBody.parse("{\"name\": 7}").requiredText("name", 10), "name");
    assertBadRequest(() -> JsonBody.parse("{\"name\": \"abcdefghijk\"}").requiredText("name", 10),
        "name");
  }

  private static void assertBadRequest(ThrowingCallable call, String param) {
    assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class, e -> {
      assertThat(e.status().getCode()).isEqualTo(400);
      assertThat(e.error().error().param()).isEqualTo(param);
      assertThat(e.error().error().type()).isEqualTo("invalid_request_error");
    });
  }
}
