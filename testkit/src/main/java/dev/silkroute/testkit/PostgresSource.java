package dev.silkroute.testkit;

import java.sql.Connection;
import java.sql.SQLException;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * Resolves the PostgreSQL for this JVM: env, then Testcontainers, then the server at
 * 127.0.0.1:5432 (user postgres, trust auth), then a cluster of its own made with initdb.
 */
final class PostgresSource {

  private static final String IMAGE = "postgres:16-alpine";
  static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
  static final String DEFAULT_USER = "postgres";

  private PostgresSource() {}

  static PostgresInstance resolve() {
    var fromEnv = Settings.get(Settings.POSTGRES_URL);
    if (fromEnv.isPresent()) {
      String user = Settings.get(Settings.POSTGRES_USER).orElse(DEFAULT_USER);
      return new PostgresInstance(fromEnv.get(), user, Settings.get(Settings.POSTGRES_PASSWORD).orElse(""),
          "env " + Settings.POSTGRES_URL + "=" + fromEnv.get() + " (user " + user + ")", true);
    }
    if (Docker.available()) {
      PostgreSQLContainer<?> container = new PostgreSQLContainer<>(IMAGE);
      container.start();
      return new PostgresInstance(container.getJdbcUrl(), container.getUsername(), container.getPassword(),
          "PostgreSQL testcontainers " + IMAGE + " at " + container.getJdbcUrl(), false);
    }
    PostgresInstance running = new PostgresInstance(DEFAULT_URL, DEFAULT_USER, "",
        "PostgreSQL at " + DEFAULT_URL + " (already running, user " + DEFAULT_USER + ")", true);
    if (answers(running)) {
      return running;
    }
    return LocalPostgresCluster.start();
  }

  private static boolean answers(PostgresInstance instance) {
    try (Connection connection = instance.connect(instance.jdbcUrl())) {
      return connection.isValid(5);
    } catch (SQLException e) {
      return false;
    }
  }
}
