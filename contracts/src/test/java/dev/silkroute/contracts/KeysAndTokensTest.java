package dev.silkroute.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.AbstractMap.SimpleEntry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The names and encodings other services, scripts and deployed Redis data already rely on. */
class KeysAndTokensTest {

  @Test
  void namesEveryAccountKeyUnderThePrefix() {
    RedisKeys keys = new RedisKeys(RedisKeys.DEFAULT_PREFIX);
    Instant at = Instant.ofEpochSecond(120 + 59);

    assertThat(keys.apiKey("ab")).isEqualTo("silkroute:apikey:ab");
    assertThat(keys.apiKeyPattern()).isEqualTo("silkroute:apikey:*");
    assertThat(keys.apiKeyChanges()).isEqualTo("silkroute:apikey-changed");
    assertThat(keys.balance("cus_1")).isEqualTo("silkroute:balance:cus_1");
    assertThat(keys.keySpend("key_1")).isEqualTo("silkroute:keyspend:key_1");
    assertThat(keys.creditGranted("cus_1")).isEqualTo("silkroute:credit_granted:cus_1");
    assertThat(keys.requestsInMinute("key_1", at)).isEqualTo("silkroute:rl:req:key_1:2");
    assertThat(keys.tokensInMinute("key_1", at)).isEqualTo("silkroute:rl:tok:key_1:2");
  }

  @Test
  void namesTheWorkerRegistryUnderThePrefix() {
    WorkerKeys keys = new WorkerKeys("t:");

    assertThat(keys.worker("w1")).isEqualTo("t:worker:w1");
    assertThat(keys.workers()).isEqualTo("t:workers");
    assertThat(keys.changedChannel()).isEqualTo("t:workers:changed");
    assertThat(keys.inflight("w1")).isEqualTo("t:worker:w1:inflight");
  }

  @Test
  void hashesAKeyAsLowercaseSha256Hex() {
    // sha256("abc"), from FIPS 180-2's test vectors.
    assertThat(ApiKeyHash.sha256Hex("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void readsTheBearerTokenInAnyCaseOfTheScheme() {
    assertThat(BearerToken.of("Bearer sk-1 ")).contains("sk-1");
    assertThat(BearerToken.of("bearer sk-1")).contains("sk-1");
    assertThat(BearerToken.of("Bearer ")).contains("");
    assertThat(BearerToken.of("Basic abc")).isEmpty();
    assertThat(BearerToken.of("sk-1")).isEmpty();
    assertThat(BearerToken.of(null)).isEmpty();
    assertThat(BearerToken.of(BearerToken.header("sk-2"))).contains("sk-2");
  }

  @Test
  void writesOpenAisErrorShapeWithNullParamAndCodeAndMetadataOnlyWhenSome() {
    @SuppressWarnings("unchecked")
    Map<String, Object> error = (Map<String, Object>)
        ErrorBody.of("bad", ErrorBody.INVALID_REQUEST_ERROR, null, null).toJson().get("error");

    assertThat(error).containsExactly(Map.entry("message", "bad"), Map.entry("type", "invalid_request_error"),
        new SimpleEntry<>("param", null), new SimpleEntry<>("code", null));
    assertThat(new ErrorBody("m", "t", "p", "c", Map.of("provider", "x")).toJson().get("error"))
        .isEqualTo(Map.of("message", "m", "type", "t", "param", "p", "code", "c", "metadata", Map.of("provider", "x")));
  }
}
