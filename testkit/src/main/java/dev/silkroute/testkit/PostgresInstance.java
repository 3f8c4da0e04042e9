package dev.silkroute.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * A real PostgreSQL server for tests; get the shared one from {@link Infra#postgres()}. Tests that
 * write should take their own database from {@link #newDatabase(String)}.
 */
public final class PostgresInstance {

  private static final String JDBC_PREFIX = "jdbc:postgresql://";
  /** PostgreSQL truncates identifiers at 63 bytes; the random suffix must survive. */
  private static final int MAX_PREFIX_LENGTH = 40;

  private final String jdbcUrl;
  private final String username;
  private final String password;
  private final String description;
  private final boolean dropDatabasesAtExit;
  private final List<String> createdDatabases = new ArrayList<>();

  /**
   * @param dropDatabasesAtExit true for a server that outlives this JVM (env or the machine's own),
   *     so that test runs do not pile up databases on it
   */
  PostgresInstance(String jdbcUrl, String username, String password, String description,
      boolean dropDatabasesAtExit) {
    if (!jdbcUrl.startsWith(JDBC_PREFIX)) {
      throw new IllegalArgumentException("Not a PostgreSQL JDBC url: " + jdbcUrl);
    }
    this.jdbcUrl = jdbcUrl;
    this.username = username;
    this.password = password;
    this.description = description;
    this.dropDatabasesAtExit = dropDatabasesAtExit && !Settings.isTrue(Settings.KEEP_DATABASES, false);
  }

  /** The server's maintenance database, e.g. {@code jdbc:postgresql://127.0.0.1:5432/postgres}. */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String username() {
    return username;
  }

  public String password() {
    return password;
  }

  /** Where this server came from: env, testcontainers, already running, or a cluster started by initdb. */
  public String description() {
    return description;
  }

  /**
   * Creates an empty database named {@code prefix} (lower-cased, other than {@code [a-z0-9_]}
   * replaced by {@code _}) plus a random suffix, and returns its JDBC url (same user and password).
   */
  public String newDatabase(String prefix) {
    String name = databaseName(prefix);
    try (Connection connection = connect(jdbcUrl); Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create database " + name + " on " + description, e);
    }
    synchronized (createdDatabases) {
      if (dropDatabasesAtExit && createdDatabases.isEmpty()) {
        Runtime.getRuntime().addShutdownHook(new Thread(this::dropCreatedDatabases, "silkroute-testkit-dropdb"));
      }
      createdDatabases.add(name);
    }
    return withDatabase(jdbcUrl, name);
  }

  /** Opens a connection with this instance's user and password. */
  public Connection connect(String url) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", username);
    properties.setProperty("password", password);
    properties.setProperty("connectTimeout", "10");
    return DriverManager.getConnection(url, properties);
  }

  static String databaseName(String prefix) {
    String clean = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (clean.isEmpty() || !Character.isLetter(clean.charAt(0))) {
      clean = "db_" + clean;
    }
    if (clean.length() > MAX_PREFIX_LENGTH) {
      clean = clean.substring(0, MAX_PREFIX_LENGTH);
    }
    return clean + "_" + Infra.randomHex(12);
  }

  static String withDatabase(String jdbcUrl, String database) {
    int hostsStart = JDBC_PREFIX.length();
    int query = jdbcUrl.indexOf('?', hostsStart);
    int end = query < 0 ? jdbcUrl.length() : query;
    int slash = jdbcUrl.indexOf('/', hostsStart);
    int hostsEnd = slash >= 0 && slash < end ? slash : end;
    return jdbcUrl.substring(0, hostsEnd) + "/" + database + jdbcUrl.substring(end);
  }

  private void dropCreatedDatabases() {
    List<String> names;
    synchronized (createdDatabases) {
      names = List.copyOf(createdDatabases);
    }
    try (Connection connection = connect(jdbcUrl); Statement statement = connection.createStatement()) {
      for (String name : names) {
        // FORCE (PostgreSQL 13+) ends connections a connection pool of the test may still hold.
        statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      }
    } catch (SQLException e) {
      System.err.println("[silkroute-testkit] Could not drop test databases " + names + " on " + description
          + ": " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return description;
  }
}
