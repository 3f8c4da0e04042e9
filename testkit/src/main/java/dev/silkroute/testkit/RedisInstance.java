package dev.silkroute.testkit;

import java.net.URI;

/** A real Redis server for tests; get the shared one from {@link Infra#redis()}. */
public final class RedisInstance {

  private final URI uri;
  private final String description;

  RedisInstance(URI uri, String description) {
    this.uri = uri;
    this.description = description;
  }

  /** For clients and {@code silkroute.redis.uri}, e.g. {@code redis://127.0.0.1:6379}. */
  public String uri() {
    return uri.toString();
  }

  public String host() {
    return uri.getHost();
  }

  public int port() {
    return uri.getPort() == -1 ? 6379 : uri.getPort();
  }

  /** Where this server came from: env, testcontainers, already running, or started from redis-server. */
  public String description() {
    return description;
  }

  @Override
  public String toString() {
    return description;
  }
}
