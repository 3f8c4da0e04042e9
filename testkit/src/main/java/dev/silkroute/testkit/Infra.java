package dev.silkroute.testkit;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Real Kafka, Redis and PostgreSQL for tests, shared by every test in the JVM and started on first
 * use. Each comes from, in order: an address in the environment ({@code SILKROUTE_TEST_KAFKA_BOOTSTRAP},
 * {@code SILKROUTE_TEST_REDIS_URI}, {@code SILKROUTE_TEST_POSTGRES_URL}); a Testcontainers container
 * when a Docker engine answers; a local real instance (a Kafka broker from Maven jars, the Redis and
 * PostgreSQL on their default ports, else ones started from local binaries). Each instance's
 * description is printed to stderr once, so test output says what the tests ran against.
 *
 * <p>Instances are shared: tests isolate themselves with {@link #uniqueName(String)} (topics, key
 * prefixes, consumer groups) and {@link PostgresInstance#newDatabase(String)}.
 */
public final class Infra {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final OncePerJvm<KafkaInstance> KAFKA =
      new OncePerJvm<>("Kafka", () -> announce(KafkaSource.resolve()));
  private static final OncePerJvm<RedisInstance> REDIS =
      new OncePerJvm<>("Redis", () -> announce(RedisSource.resolve()));
  private static final OncePerJvm<RedisInstance> REDIS_SENTINEL =
      new OncePerJvm<>("Redis Sentinel", () -> announce(RedisSentinelSource.start()));
  private static final OncePerJvm<PostgresInstance> POSTGRES =
      new OncePerJvm<>("PostgreSQL", () -> announce(PostgresSource.resolve()));

  private Infra() {}

  public static KafkaInstance kafka() {
    return KAFKA.get();
  }

  public static RedisInstance redis() {
    return REDIS.get();
  }

  /**
   * A Redis reached through a Sentinel ({@code redis-sentinel://127.0.0.1:<port>#silkroute}), started
   * on first use from the machine's redis-server: a master of its own and one sentinel.
   */
  public static RedisInstance redisSentinel() {
    return REDIS_SENTINEL.get();
  }

  public static PostgresInstance postgres() {
    return POSTGRES.get();
  }

  /**
   * {@code prefix} plus a random suffix, e.g. {@code usage-test-3f9a0c1b2e4d}: a topic, consumer
   * group or Redis key prefix no other test uses. No separator is added after a prefix that ends
   * with one of {@code . - _ :}.
   */
  public static String uniqueName(String prefix) {
    boolean separated = prefix.isEmpty() || ".-_:".indexOf(prefix.charAt(prefix.length() - 1)) >= 0;
    return prefix + (separated ? "" : "-") + randomHex(12);
  }

  static String randomHex(int chars) {
    byte[] bytes = new byte[(chars + 1) / 2];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes).substring(0, chars);
  }

  private static <T> T announce(T instance) {
    System.err.println("[silkroute-testkit] " + instance);
    return instance;
  }
}
