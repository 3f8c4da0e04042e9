package dev.silkroute.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The fallbacks Infra takes when nothing runs at the default ports: on this machine Redis and
 * PostgreSQL do run there, so these start their own servers directly.
 */
class LocalServersTest {

  @Test
  void startsItsOwnRedisServerOnAFreePort() {
    RedisInstance redis = RedisSource.startLocal();
    assertNotEquals(6379, redis.port());
    assertTrue(RedisSource.answersPing(redis.host(), redis.port()), redis.description());
  }

  @Test
  void startsItsOwnPostgresClusterWithInitdb() throws Exception {
    PostgresInstance postgres = LocalPostgresCluster.start();
    assertTrue(postgres.description().contains("initdb") || postgres.description().contains("pg_ctl"));
    String url = postgres.newDatabase("own_cluster");
    try (Connection connection = postgres.connect(url); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT current_database(), inet_server_port()")) {
      result.next();
      assertTrue(result.getString(1).startsWith("own_cluster_"));
      assertNotEquals(5432, result.getInt(2));
    }
  }

  @Test
  void remembersAStartFailureInsteadOfRetryingIt() {
    AtomicInteger attempts = new AtomicInteger();
    OncePerJvm<String> broken = new OncePerJvm<>("Thing", () -> {
      attempts.incrementAndGet();
      throw new IllegalStateException("no thing installed");
    });
    assertThrows(IllegalStateException.class, broken::get);
    IllegalStateException again = assertThrows(IllegalStateException.class, broken::get);
    assertTrue(again.getMessage().contains("no thing installed"), again.getMessage());
    assertEquals(1, attempts.get());
  }
}
