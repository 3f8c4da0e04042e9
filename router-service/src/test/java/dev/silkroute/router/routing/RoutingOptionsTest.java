package dev.silkroute.router.routing;

import static dev.silkroute.router.routing.Fixtures.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RoutingOptionsTest {

  @Test
  void readsEveryProviderPreference() {
    RoutingOptions options = RoutingOptions.of(request("""
        {"model": "a/m:nitro", "models": ["a/m", "b/n"], "messages": [], "session_id": "conv-1",
         "tools": [], "temperature": 0.2,
         "provider": {"order": ["x", "y"], "allow_fallbacks": false, "require_parameters": true,
                      "data_collection": "deny", "only": ["x"], "ignore": ["z"], "quantizations": ["fp8"],
                      "sort": "latency", "max_price": {"prompt": 1.5, "completion": "2"},
                      "preferred_max_latency": 0.8, "preferred_min_throughput": {"p50": 40}, "hedge": false}}
        """));

    assertThat(options.model()).isEqualTo("a/m");
    assertThat(options.variant()).isEqualTo(Variant.NITRO);
    assertThat(options.fallbackModels()).containsExactly("b/n");
    assertThat(options.sessionId()).contains("conv-1");
    assertThat(options.requestedParameters()).containsExactlyInAnyOrder("tools", "temperature");
    ProviderPreferences p = options.provider();
    assertThat(p.order()).containsExactly("x", "y");
    assertThat(p.allowFallbacks()).isFalse();
    assertThat(p.requireParameters()).isTrue();
    assertThat(p.denyDataCollection()).isTrue();
    assertThat(p.only()).containsExactly("x");
    assertThat(p.ignore()).containsExactly("z");
    assertThat(p.quantizations()).containsExactly("fp8");
    assertThat(options.sort()).contains(Sort.LATENCY); // explicit sort wins over :nitro
    assertThat(p.maxPromptPrice()).hasValue(1_500_000);
    assertThat(p.maxCompletionPrice()).hasValue(2_000_000);
    assertThat(p.preferredMaxLatencyMs()).hasValue(800);
    assertThat(p.preferredMinThroughput()).hasValue(40);
    assertThat(p.hedge()).isFalse();
  }

  /** The decision skips asking endpoints when no option restricts them: each one that can must say so. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"model\":\"a/m:free\"}",
      "{\"provider\":{\"only\":[\"x\"]}}",
      "{\"provider\":{\"ignore\":[\"x\"]}}",
      "{\"provider\":{\"order\":[\"x\"],\"allow_fallbacks\":false}}",
      "{\"provider\":{\"quantizations\":[\"fp8\"]}}",
      "{\"provider\":{\"data_collection\":\"deny\"}}",
      "{\"tools\":[],\"provider\":{\"require_parameters\":true}}",
      "{\"provider\":{\"max_price\":{\"prompt\":1}}}",
      "{\"provider\":{\"max_price\":{\"completion\":1}}}"})
  void everyOptionThatRulesEndpointsOutSaysSo(String options) {
    String body = options.contains("\"model\"") ? options.replace("}", ",\"messages\":[]}")
        : "{\"model\":\"a/m\",\"messages\":[]," + options.substring(1);

    assertThat(RoutingOptions.of(request(body)).restrictsEndpoints()).as(body).isTrue();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"model\":\"a/m\",\"messages\":[]}",
      "{\"model\":\"a/m:nitro\",\"messages\":[],\"tools\":[],\"temperature\":0.5}",
      "{\"model\":\"a/m\",\"messages\":[],\"provider\":{\"order\":[\"x\"],\"sort\":\"price\",\"require_parameters\":true}}"})
  void preferencesThatOnlyOrderRestrictNothing(String body) {
    assertThat(RoutingOptions.of(request(body)).restrictsEndpoints()).as(body).isFalse();
  }

  @Test
  void defaultsWithoutOptions() {
    RoutingOptions options = RoutingOptions.of(request("{\"model\":\"a/m\",\"messages\":[]}"));

    assertThat(options.provider()).isEqualTo(ProviderPreferences.DEFAULTS);
    assertThat(options.provider().hedge()).as("hedging is the router's to decide unless the request opts out")
        .isTrue();
    assertThat(options.sort()).isEmpty();
    assertThat(options.sessionId()).isEmpty();
    assertThat(options.fallbackModels()).isEmpty();
  }

  @Test
  void variantsSelectTheirSort() {
    assertThat(RoutingOptions.of(request("{\"model\":\"a/m:floor\",\"messages\":[]}")).sort())
        .isEqualTo(Optional.of(Sort.PRICE));
    assertThat(RoutingOptions.of(request("{\"model\":\"a/m:nitro\",\"messages\":[]}")).sort())
        .isEqualTo(Optional.of(Sort.THROUGHPUT));
    assertThat(RoutingOptions.of(request("{\"model\":\"a/m:free\",\"messages\":[]}")).variant())
        .isEqualTo(Variant.FREE);
    assertThat(Variant.baseModel("a/m:free")).isEqualTo("a/m");
    assertThat(Variant.of("a/m:beta")).isEqualTo(Variant.NONE);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"sort\": \"cheapest\"}                    | provider.sort",
      "{\"order\": \"x\"}                          | provider.order",
      "{\"only\": [1]}                             | provider.only[0]",
      "{\"allow_fallbacks\": \"no\"}               | provider.allow_fallbacks",
      "{\"require_parameters\": 1}                 | provider.require_parameters",
      "{\"data_collection\": \"maybe\"}            | provider.data_collection",
      "{\"quantizations\": [\"fp8\", \"q5\"]}      | provider.quantizations[1]",
      "{\"max_price\": 3}                          | provider.max_price",
      "{\"max_price\": {\"prompt\": -1}}           | provider.max_price.prompt",
      "{\"max_price\": {\"completion\": \"lots\"}} | provider.max_price.completion",
      "{\"preferred_max_latency\": 0}              | provider.preferred_max_latency",
      "{\"preferred_min_throughput\": \"fast\"}    | provider.preferred_min_throughput",
      "{\"sortt\": \"price\"}                      | provider.sortt",
      "[]                                          | provider"})
  void rejectsABadProviderOptionNamingTheField(String provider, String param) {
    assertThatThrownBy(() -> RoutingOptions.of(request(
        "{\"model\":\"a/m\",\"messages\":[],\"provider\":" + provider + "}")))
        .isInstanceOfSatisfying(RouterException.class, e -> {
          assertThat(e.error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
          assertThat(e.error().param()).isEqualTo(param);
          assertThat(e.error().message()).contains(param);
        });
  }

  @Test
  void rejectsBadModelsAndSessionIds() {
    assertThatThrownBy(() -> RoutingOptions.of(request("{\"model\":\"a/m\",\"messages\":[],\"models\":\"b/n\"}")))
        .isInstanceOfSatisfying(RouterException.class, e -> assertThat(e.error().param()).isEqualTo("models"));
    assertThatThrownBy(() -> RoutingOptions.of(request("{\"model\":\"a/m\",\"messages\":[],\"models\":[\"b/n\",3]}")))
        .isInstanceOfSatisfying(RouterException.class, e -> assertThat(e.error().param()).isEqualTo("models[1]"));
    assertThatThrownBy(() -> RoutingOptions.of(request("{\"model\":\"a/m\",\"messages\":[],\"session_id\":7}")))
        .isInstanceOfSatisfying(RouterException.class, e -> assertThat(e.error().param()).isEqualTo("session_id"));
  }

  @Test
  void keepsFallbackModelsInOrderWithoutDuplicates() {
    RoutingOptions options = RoutingOptions.of(request(
        "{\"model\":\"a/m\",\"messages\":[],\"models\":[\"c/o\",\"a/m\",\"b/n\",\"c/o\"]}"));

    assertThat(options.fallbackModels()).isEqualTo(List.of("c/o", "b/n"));
    assertThat(Set.copyOf(options.fallbackModels())).hasSize(2);
  }
}
