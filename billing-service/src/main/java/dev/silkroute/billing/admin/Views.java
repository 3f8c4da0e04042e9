package dev.silkroute.billing.admin;

import dev.silkroute.billing.account.Account;
import dev.silkroute.billing.account.ApiKey;
import dev.silkroute.billing.account.ApiKeys;
import dev.silkroute.billing.account.CreditGrant;
import dev.silkroute.billing.account.Customer;
import dev.silkroute.billing.account.KeyLimits;
import java.time.Instant;
import java.util.List;

/** JSON bodies of the admin API (snake_case through the global Jackson naming strategy). */
final class Views {

  private Views() {
  }

  record CustomerView(String id, String object, String name, Instant createdAt) {
    static CustomerView of(Customer c) {
      return new CustomerView(c.id(), "customer", c.name(), c.createdAt());
    }
  }

  record AccountView(String id, String object, String name, Instant createdAt,
      long creditGrantedMicros, long spentMicros, long balanceMicros, long requests,
      long promptTokens, long completionTokens) {
    static AccountView of(Account a) {
      return new AccountView(a.id(), "customer", a.name(), a.createdAt(),
          a.creditGrantedMicros(), a.spentMicros(), a.balanceMicros(), a.requests(),
          a.promptTokens(), a.completionTokens());
    }
  }

  record CreditGrantView(long id, String object, String customerId, long amountMicros,
      String note, Instant createdAt) {
    static CreditGrantView of(CreditGrant g) {
      return new CreditGrantView(g.id(), "credit_grant", g.customerId(), g.amountMicros(),
          g.note(), g.createdAt());
    }
  }

  /** The only response that carries the clear-text key. */
  record CreatedKeyView(String id, String object, String key, String keyPrefix,
      String customerId, String label, String status, Instant createdAt, LimitsView limits) {
    static CreatedKeyView of(ApiKeys.CreatedKey created) {
      ApiKey k = created.key();
      return new CreatedKeyView(k.id(), "api_key", created.secret(), k.keyPrefix(),
          k.customerId(), k.label(), k.status().wire(), k.createdAt(), LimitsView.of(k.limits()));
    }
  }

  record KeyView(String id, String object, String keyPrefix, String customerId, String label,
      String status, Instant createdAt, Instant revokedAt, LimitsView limits) {
    static KeyView of(ApiKey k) {
      return new KeyView(k.id(), "api_key", k.keyPrefix(), k.customerId(), k.label(),
          k.status().wire(), k.createdAt(), k.revokedAt(), LimitsView.of(k.limits()));
    }
  }

  /** {@code null} = no limit. */
  record LimitsView(Long creditLimitMicros, Integer requestsPerMinute, Long tokensPerMinute,
      List<String> allowedModels) {
    static LimitsView of(KeyLimits l) {
      return new LimitsView(l.creditLimitMicros(), l.requestsPerMinute(), l.tokensPerMinute(),
          l.allowedModels());
    }
  }
}
