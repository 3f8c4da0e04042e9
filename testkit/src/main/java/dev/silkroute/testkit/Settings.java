package dev.silkroute.testkit;

import java.util.Optional;

/** Test settings from the environment, or from a system property of the same name (handy in surefire). */
final class Settings {

  static final String KAFKA_BOOTSTRAP = "SILKROUTE_TEST_KAFKA_BOOTSTRAP";
  static final String REDIS_URI = "SILKROUTE_TEST_REDIS_URI";
  static final String POSTGRES_URL = "SILKROUTE_TEST_POSTGRES_URL";
  static final String POSTGRES_USER = "SILKROUTE_TEST_POSTGRES_USER";
  static final String POSTGRES_PASSWORD = "SILKROUTE_TEST_POSTGRES_PASSWORD";
  /** "false" skips the Docker probe, e.g. where a Docker engine exists but should not be used. */
  static final String USE_DOCKER = "SILKROUTE_TEST_DOCKER";
  /** "true" keeps the databases newDatabase created on a shared server after the JVM exits. */
  static final String KEEP_DATABASES = "SILKROUTE_TEST_KEEP_DATABASES";

  private Settings() {}

  static Optional<String> get(String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      value = System.getProperty(name);
    }
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
  }

  static boolean isTrue(String name, boolean fallback) {
    return get(name).map(Boolean::parseBoolean).orElse(fallback);
  }
}
