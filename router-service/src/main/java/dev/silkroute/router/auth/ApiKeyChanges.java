package dev.silkroute.router.auth;

import dev.silkroute.contracts.RedisKeys;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

/**
 * Hears billing-service announce API key changes on the Redis channel {@link RedisKeys#apiKeyChanges()}
 * (the message is the key's SHA-256 hex, or {@link RedisKeys#EVERY_API_KEY}) and evicts them from
 * {@link ApiKeys}' cache, so that a revoked key is refused at once. Pub/sub is fire-and-forget: while
 * the connection is down announcements are lost, so the cache is off until it is subscribed again.
 */
public final class ApiKeyChanges implements AutoCloseable {

  private final RedisClient client;
  private final StatefulRedisPubSubConnection<String, String> connection;
  private final RedisConnectionStateListener lost;

  private ApiKeyChanges(RedisClient client, StatefulRedisPubSubConnection<String, String> connection,
                        RedisConnectionStateListener lost) {
    this.client = client;
    this.connection = connection;
    this.lost = lost;
  }

  /** Subscribes on a connection of its own; {@code keys} caches only from then on. */
  public static ApiKeyChanges subscribe(RedisClient client, String keyPrefix, ApiKeys keys) {
    String channel = new RedisKeys(keyPrefix).apiKeyChanges();
    StatefulRedisPubSubConnection<String, String> connection = client.connectPubSub();
    connection.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String from, String sha256Hex) {
        if (RedisKeys.EVERY_API_KEY.equals(sha256Hex)) {
          keys.allChanged();
        } else {
          keys.changed(sha256Hex);
        }
      }

      @Override
      public void subscribed(String to, long count) {
        // Also called when Lettuce subscribes again after a reconnect.
        if (channel.equals(to)) {
          keys.hearingChanges(true);
        }
      }
    });
    RedisConnectionStateListener lost = new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> disconnected) {
        if (disconnected == connection) {
          keys.hearingChanges(false);
        }
      }
    };
    client.addListener(lost);
    connection.sync().subscribe(channel);
    keys.hearingChanges(true);
    return new ApiKeyChanges(client, connection, lost);
  }

  @Override
  public void close() {
    connection.close();
    client.removeListener(lost);
  }
}
