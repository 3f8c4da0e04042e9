package dev.silkroute.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.silkroute.contracts.RedisKeys;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.testkit.Infra;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Concurrent requests on a key whose credit covers only a few of them at their worst case: the
 * credit is never overdrawn, every served request is billed once, and the Redis balance, the ledger
 * and the statement agree to the micro-dollar.
 */
class CreditNeverOverdrawnIT {

  private static final int REQUESTS = 40;
  private static final long CREDIT_MICROS = 3_000;
  private static final String ADMIN_TOKEN = "credit-admin-token";

  @Test
  void concurrentRequestsNeverSpendMoreThanTheCredit() throws Exception {
    String database = Infra.postgres().newDatabase("credit");
    String redisPrefix = Infra.uniqueName("credit") + ":";
    String topic = Infra.kafka().createTopic(Infra.uniqueName("credit-usage"), 3);
    ProviderSim sim = ProviderSim.start(0, List.of(ProviderConfig.openai("deepseek"), ProviderConfig.openai("together"),
        ProviderConfig.openai("alibaba"), ProviderConfig.openai("fireworks")));
    ServiceProcess billing = ServiceProcess.start("credit-billing", Path.of(System.getProperty("silkroute.billing.jar")),
        ServiceProcess.freePort(), Map.of(
            "datasources.default.url", database,
            "datasources.default.username", Infra.postgres().username(),
            "datasources.default.password", Infra.postgres().password(),
            "silkroute.kafka.bootstrap-servers", Infra.kafka().bootstrapServers(),
            "silkroute.usage.topic", topic,
            "silkroute.usage.group-id", Infra.uniqueName("credit-billing"),
            "silkroute.redis.uri", Infra.redis().uri(),
            "silkroute.redis.key-prefix", redisPrefix),
        Map.of("SILKROUTE_ADMIN_TOKEN", ADMIN_TOKEN));
    int routerPort = ServiceProcess.freePort();
    ServiceProcess router = ServiceProcess.start("credit-router", Path.of(System.getProperty("silkroute.router.jar")),
        routerPort, Map.of(
            "silkroute.router.catalog", System.getProperty("silkroute.catalog"),
            "silkroute.router.grpc-port", "0",
            "silkroute.router.spool-file", Path.of("target", "credit-router.spool").toAbsolutePath().toString(),
            "silkroute.kafka.bootstrap-servers", Infra.kafka().bootstrapServers(),
            "silkroute.kafka.usage-topic", topic,
            "silkroute.redis.uri", Infra.redis().uri(),
            "silkroute.redis.key-prefix", redisPrefix),
        Map.of("SILKROUTE_PROVIDER_SIM_URL", sim.url()));
    RedisClient redis = RedisClient.create(Infra.redis().uri());
    try (StatefulRedisConnection<String, String> connection = redis.connect()) {
      BillingAdmin admin = new BillingAdmin(billing, ADMIN_TOKEN);
      String[] account = admin.customerWithKey("Thrifty", CREDIT_MICROS);
      String customer = account[0];
      String key = account[1];

      // max_tokens 1000 makes each request's worst case about $0.0006: the credit covers about five at once.
      ExecutorService clients = Executors.newFixedThreadPool(REQUESTS);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        int n = i;
        statuses.add(clients.submit(() -> {
          go.await();
          return BillingAdmin.chat(routerPort, key, "qwen/qwen3-32b", 1000, "request " + n).statusCode();
        }));
      }
      go.countDown();
      int served = 0;
      int refused = 0;
      for (Future<Integer> status : statuses) {
        int code = status.get();
        assertThat(code).isIn(200, 402);
        served += code == 200 ? 1 : 0;
        refused += code == 402 ? 1 : 0;
      }
      clients.shutdown();
      System.err.println("[credit] " + served + " served, " + refused + " refused with 402");
      assertThat(served).isPositive();
      assertThat(refused).as("the credit must not cover every request at its worst case").isPositive();

      int expected = served;
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(admin.call("GET", "/admin/customers/" + customer, null).get("requests").asLong())
              .isEqualTo(expected));
      JsonNode totals = admin.call("GET", "/admin/customers/" + customer, null);
      long spent = totals.get("spent_micros").asLong();
      assertThat(spent).isPositive().isLessThanOrEqualTo(CREDIT_MICROS);
      assertThat(connection.sync().get(new RedisKeys(redisPrefix).balance(customer)))
          .isEqualTo(String.valueOf(CREDIT_MICROS - spent));
      String today = LocalDate.now(ZoneOffset.UTC).toString();
      JsonNode statement = admin.call("GET", "/admin/customers/" + customer + "/statement?from=" + today
          + "&to=" + today + "&format=json", null);
      assertThat(statement.at("/totals/amount_micros").asLong()).isEqualTo(spent);
      assertThat(statement.at("/totals/requests").asLong()).isEqualTo(served);
    } finally {
      redis.shutdown();
      router.close();
      billing.close();
      sim.close();
    }
  }


}
