package dev.silkroute.billing.account;

import dev.silkroute.billing.ledger.LedgerUnavailableException;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The router's hot copy of what customers may spend (contract in README.md, "Redis balance"):
 * STRING {@code <prefix>balance:<customer_id>} = micro-USD available, and STRING
 * {@code <prefix>keyspend:<key_id>} = micro-USD spent through a key. The router decrements the
 * balance (reservation, settlement) and increments keyspend; billing only adds credit grants and,
 * when a value is missing, seeds it from PostgreSQL. Billing never decrements for ledger rows:
 * the router has already charged them.
 */
public final class Balances {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int PIPELINE = 1000;

  // Adds a grant; if the balance is missing (flushed Redis), seeds it with the full balance from
  // PostgreSQL instead, since INCRBY on a missing key would forget everything granted before. The
  // total granted moves the same way, after the balance: a balance that is not a number fails the
  // script before anything was written (Redis keeps a script's writes made before an error).
  // KEYS: balance, credit granted. ARGV: amount, balance after, granted after (PostgreSQL's).
  private static final String CREDIT = "local balance"
      + " if redis.call('EXISTS', KEYS[1]) == 1 then balance = redis.call('INCRBY', KEYS[1], ARGV[1])"
      + " else redis.call('SET', KEYS[1], ARGV[2]) balance = tonumber(ARGV[2]) end"
      + " if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('INCRBY', KEYS[2], ARGV[1])"
      + " else redis.call('SET', KEYS[2], ARGV[3]) end"
      + " return balance";

  private final StatefulRedisConnection<String, String> redis;
  private final RedisConfig config;
  private final DataSource dataSource;

  Balances(StatefulRedisConnection<String, String> redis, RedisConfig config,
      DataSource dataSource) {
    this.redis = redis;
    this.config = config;
    this.dataSource = dataSource;
  }

  /**
   * Adds {@code amountMicros} to the customer's Redis balance and total granted, or sets each to
   * PostgreSQL's value with this grant included ({@code balanceAfterMicros} = granted - spent,
   * {@code grantedAfterMicros}) when missing.
   */
  long credit(String customerId, long amountMicros, long balanceAfterMicros, long grantedAfterMicros) {
    Long balance = redis.sync().eval(CREDIT, ScriptOutputType.INTEGER,
        new String[] {config.keys().balance(customerId), config.keys().creditGranted(customerId)},
        Long.toString(amountMicros), Long.toString(balanceAfterMicros), Long.toString(grantedAfterMicros));
    return balance;
  }

  /** Takes back a credit whose database transaction did not commit. */
  void undoCredit(String customerId, long amountMicros) {
    redis.sync().decrby(config.keys().balance(customerId), amountMicros);
    redis.sync().decrby(config.keys().creditGranted(customerId), amountMicros);
  }

  /** What a rebuild wrote; values that existed were left as the router has them. */
  public record Rebuild(int balancesSeeded, int keySpendsSeeded, int creditsGrantedSeeded) {
  }

  /**
   * SET NX every customer's balance (credit granted - ledger spent) and total credit granted, and
   * every key's spend (ledger sum for the key). Existing values are kept: they include reservations and settlements of
   * requests the ledger has not seen yet, which PostgreSQL cannot know.
   */
  public Rebuild seedMissing() {
    RedisAsyncCommands<String, String> async = redis.async();
    List<RedisFuture<String>> pending = new ArrayList<>();
    int[] seeded = new int[3];
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        seed(c, "SELECT c.id, coalesce(b.credit_granted_micros, 0) - coalesce(b.spent_micros, 0)"
            + " FROM customers c LEFT JOIN customer_balances b ON b.customer_id = c.id",
            config.keys()::balance, async, pending, seeded, 0);
        seed(c, "SELECT key_id, spent_micros FROM key_usage", config.keys()::keySpend, async, pending,
            seeded, 1);
        seed(c, "SELECT customer_id, credit_granted_micros FROM customer_balances",
            config.keys()::creditGranted, async, pending, seeded, 2);
        await(pending, seeded);
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new LedgerUnavailableException("could not read balances", e);
    }
    return new Rebuild(seeded[0], seeded[1], seeded[2]);
  }

  private void seed(Connection c, String sql, java.util.function.UnaryOperator<String> name,
      RedisAsyncCommands<String, String> async, List<RedisFuture<String>> pending, int[] seeded,
      int counter) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setFetchSize(1000);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          RedisFuture<String> set = async.set(name.apply(rs.getString(1)),
              Long.toString(rs.getLong(2)), SetArgs.Builder.nx());
          set.thenAccept(ok -> {
            if ("OK".equals(ok)) {
              synchronized (seeded) {
                seeded[counter]++;
              }
            }
          });
          pending.add(set);
          if (pending.size() >= PIPELINE) {
            await(pending, seeded);
          }
        }
      }
    }
  }

  private static void await(List<RedisFuture<String>> pending, Object lock) {
    if (!LettuceFutures.awaitAll(TIMEOUT, pending.toArray(RedisFuture[]::new))) {
      throw new IllegalStateException("Redis did not acknowledge " + pending.size()
          + " balance writes within " + TIMEOUT);
    }
    pending.clear();
  }
}
