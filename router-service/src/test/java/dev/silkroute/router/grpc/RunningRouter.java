package dev.silkroute.router.grpc;

import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.testkit.Infra;
import dev.silkroute.testkit.RouterAccounts;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A whole router for integration tests: its HTTP and gRPC servers on free ports (gRPC by the test
 * environment's application-test.yml, as for every test context), real Redis holding
 * one active API key, real Kafka for usage events, and provider-sim serving three providers
 * (deepseek and together speak OpenAI, anthropic speaks Anthropic Messages).
 */
public final class RunningRouter implements AutoCloseable {

  public static final String DEEPSEEK = "deepseek/deepseek-chat-v3";
  public static final String CLAUDE = "anthropic/claude-sonnet-4";

  private final ApplicationContext context;
  private final String baseUrl;
  private final String key;
  private final String usageTopic;
  private final String prefix;

  private RunningRouter(ApplicationContext context, String baseUrl, String key, String usageTopic, String prefix) {
    this.context = context;
    this.baseUrl = baseUrl;
    this.key = key;
    this.usageTopic = usageTopic;
    this.prefix = prefix;
  }

  public static RunningRouter start(ProviderSim sim, Path dir) {
    return start(sim, dir, Map.of());
  }

  /** With these settings changed, e.g. a longer {@code silkroute.router.stream-commit-after}. */
  public static RunningRouter start(ProviderSim sim, Path dir, Map<String, Object> settings) {
    return start(dir, """
          providers:
            deepseek: {protocol: openai, base_url: "%s"}
            together: {protocol: openai, base_url: "%s"}
            anthropic: {protocol: anthropic, base_url: "%s"}
          models:
            - id: deepseek/deepseek-chat-v3
              name: "DeepSeek: DeepSeek V3"
              context_length: 163840
              endpoints:
                - {provider: deepseek, upstream_model: deepseek-chat, price: {prompt: "0.27", completion: "1.10"}}
                - {provider: together, upstream_model: deepseek-ai/DeepSeek-V3, price: {prompt: "1.25", completion: "1.25"}}
            - id: anthropic/claude-sonnet-4
              name: "Anthropic: Claude Sonnet 4"
              context_length: 200000
              endpoints:
                - {provider: anthropic, upstream_model: claude-sonnet-4, price: {prompt: "3", completion: "15"}}
          """.formatted(sim.baseUrl("deepseek"), sim.baseUrl("together"), sim.baseUrl("anthropic")), settings);
  }

  /** The same router with the given catalog (YAML, as deploy/catalog.yaml). */
  public static RunningRouter start(Path dir, String catalogYaml) {
    return start(dir, catalogYaml, Map.of());
  }

  /** The router with the given catalog and these settings changed. */
  public static RunningRouter start(Path dir, String catalogYaml, Map<String, Object> settings) {
    try {
      Path catalog = dir.resolve("catalog.yaml");
      Files.writeString(catalog, catalogYaml);
      String prefix = Infra.uniqueName("grpcit") + ":";
      String key = RouterAccounts.activeKey(prefix, "cus_grpcit", "key_grpcit", KeyLimits.NONE);
      RouterAccounts.setBalance(prefix, "cus_grpcit", 1_000_000_000); // $1,000 of credit
      String usageTopic = Infra.kafka().createTopic(Infra.uniqueName("usage"), 1);
      Map<String, Object> properties = new java.util.HashMap<>(Map.ofEntries(
          // Circuits stay closed: these tests make providers fail on purpose, one test after another.
          Map.entry("silkroute.routing.sliding-window-calls", "10000"),
          Map.entry("silkroute.routing.minimum-calls", "10000"),
          // ... and measured health never demotes an endpoint: which provider serves stays predictable.
          Map.entry("silkroute.routing.stats-refresh", "1h"),
          Map.entry("micronaut.server.port", -1),
          Map.entry("silkroute.router.catalog", catalog.toString()),
          Map.entry("silkroute.router.spool-file", dir.resolve("spool").toString()),
          Map.entry("silkroute.router.stream-commit-after", "200ms"),
          Map.entry("silkroute.router.first-byte-timeout", "3s"),
          Map.entry("silkroute.redis.uri", Infra.redis().uri()),
          Map.entry("silkroute.redis.key-prefix", prefix),
          Map.entry("silkroute.kafka.bootstrap-servers", Infra.kafka().bootstrapServers()),
          Map.entry("silkroute.kafka.usage-topic", usageTopic)));
      properties.putAll(settings);
      EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, properties);
      return new RunningRouter(server.getApplicationContext(), "http://127.0.0.1:" + server.getPort(), key,
          usageTopic, prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public ApplicationContext context() {
    return context;
  }

  public String baseUrl() {
    return baseUrl;
  }

  public String key() {
    return key;
  }

  /** Another active key, of a new customer with $1,000 of credit, under these limits. */
  public String keyFor(String customerId, KeyLimits limits) {
    String other = RouterAccounts.activeKey(prefix, customerId, "key_" + customerId, limits);
    RouterAccounts.setBalance(prefix, customerId, 1_000_000_000);
    return other;
  }

  /** The prefix of the router's Redis keys, for tests that add keys and balances of their own. */
  public String redisPrefix() {
    return prefix;
  }

  /** The Kafka topic the router publishes its usage events to, one partition. */
  public String usageTopic() {
    return usageTopic;
  }

  public int grpcPort() {
    return context.getBean(RouterGrpcServer.class).port();
  }

  @Override
  public void close() {
    context.close();
  }
}
