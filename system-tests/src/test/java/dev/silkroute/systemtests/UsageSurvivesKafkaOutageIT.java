package dev.silkroute.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.silkroute.localkafka.LocalKafka;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.testkit.Infra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Nothing is lost: the Kafka broker stops while 1,000 requests flow and starts again later, and the
 * router is restarted while its spool still holds events. Every request reaches the ledger once.
 */
class UsageSurvivesKafkaOutageIT {

  private static final int REQUESTS = 1_000;
  private static final String ADMIN_TOKEN = "outage-admin-token";

  @Test
  void everyRequestReachesTheLedgerOnceDespiteABrokerOutageAndARouterRestart() throws Exception {
    Path work = Files.createTempDirectory("silkroute-outage");
    int kafkaPort = ServiceProcess.freePort();
    LocalKafka kafka = LocalKafka.start(work.resolve("kafka"), kafkaPort);
    System.err.println("[outage] Kafka: own broker at " + kafka.bootstrapServers() + " (stopped and restarted by the test)");
    System.err.println("[outage] Redis: " + Infra.redis().description());
    String database = Infra.postgres().newDatabase("outage");
    String redisPrefix = Infra.uniqueName("outage") + ":";
    Path spool = work.resolve("router-usage.spool");
    ProviderSim sim = ProviderSim.start(0, List.of(ProviderConfig.openai("deepseek"), ProviderConfig.openai("together"),
        ProviderConfig.openai("alibaba"), ProviderConfig.openai("fireworks")));

    Map<String, String> billingProperties = Map.of(
        "datasources.default.url", database,
        "datasources.default.username", Infra.postgres().username(),
        "datasources.default.password", Infra.postgres().password(),
        "silkroute.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "silkroute.redis.uri", Infra.redis().uri(),
        "silkroute.redis.key-prefix", redisPrefix);
    Map<String, String> routerProperties = new HashMap<>(Map.of(
        "silkroute.router.catalog", System.getProperty("silkroute.catalog"),
            "silkroute.router.grpc-port", "0",
        "silkroute.router.spool-file", spool.toString(),
        "silkroute.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "silkroute.redis.uri", Infra.redis().uri(),
        "silkroute.redis.key-prefix", redisPrefix));
    int routerPort = ServiceProcess.freePort();
    Path routerJar = Path.of(System.getProperty("silkroute.router.jar"));

    ServiceProcess billing = ServiceProcess.start("outage-billing", Path.of(System.getProperty("silkroute.billing.jar")),
        ServiceProcess.freePort(), billingProperties, Map.of("SILKROUTE_ADMIN_TOKEN", ADMIN_TOKEN));
    ServiceProcess router = ServiceProcess.start("outage-router", routerJar, routerPort, routerProperties,
        Map.of("SILKROUTE_PROVIDER_SIM_URL", sim.url()));
    try {
      BillingAdmin admin = new BillingAdmin(billing, ADMIN_TOKEN);
      String[] account = admin.customerWithKey("Outage Inc", 100_000_000);
      String customer = account[0];
      String key = account[1];

      AtomicInteger sent = new AtomicInteger();
      ExecutorService clients = Executors.newFixedThreadPool(8);
      List<Future<Integer>> answers = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        answers.add(clients.submit(() -> {
          int n = sent.incrementAndGet();
          return BillingAdmin.chat(routerPort, key, "qwen/qwen3-32b", 8, "request " + n).statusCode();
        }));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> sent.get() >= REQUESTS / 4);
      kafka.close(); // the broker goes away while requests flow
      System.err.println("[outage] broker stopped after " + sent.get() + " requests");
      for (Future<Integer> answer : answers) {
        assertThat(answer.get()).isEqualTo(200);
      }
      clients.shutdown();

      router.close(); // graceful: what Kafka did not take goes to the spool
      assertThat(spool).exists();
      System.err.println("[outage] router stopped with " + Files.size(spool) + " spooled bytes");

      kafka = LocalKafka.start(work.resolve("kafka"), kafkaPort);
      router = ServiceProcess.start("outage-router-2", routerJar, routerPort, routerProperties,
          Map.of("SILKROUTE_PROVIDER_SIM_URL", sim.url()));

      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
          assertThat(admin.call("GET", "/admin/customers/" + customer, null).get("requests").asLong())
              .isEqualTo(REQUESTS));
      JsonNode ledger = admin.call("GET", "/admin/customers/" + customer + "/ledger?limit=500", null);
      assertThat(ledger.get("data")).hasSize(500);
    } finally {
      router.close();
      billing.close();
      kafka.close();
      sim.close();
    }
  }


}
