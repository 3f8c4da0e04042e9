package dev.silkroute.billing.account;

import java.util.List;
import java.util.OptionalLong;

/**
 * What one API key may do, as the admin API takes it and PostgreSQL stores it; each {@code null}
 * means no limit. Validated here, so that only limits the router can enforce reach it: the router
 * reads them from the key's Redis hash as {@link dev.silkroute.contracts.KeyLimits} ({@link #recorded()}).
 */
public record KeyLimits(Long creditLimitMicros, Integer requestsPerMinute, Long tokensPerMinute,
    List<String> allowedModels) {

  public static final KeyLimits NONE = new KeyLimits(null, null, null, null);
  public static final int MAX_ALLOWED_MODELS = 200;

  public KeyLimits {
    requirePositive("credit_limit_micros", creditLimitMicros);
    requirePositive("requests_per_minute", requestsPerMinute == null ? null : (long) requestsPerMinute);
    requirePositive("tokens_per_minute", tokensPerMinute);
    if (allowedModels != null) {
      if (allowedModels.isEmpty() || allowedModels.size() > MAX_ALLOWED_MODELS) {
        throw new InvalidLimitException("allowed_models",
            "must list 1 to " + MAX_ALLOWED_MODELS + " models (null removes the restriction)");
      }
      for (String model : allowedModels) {
        if (model == null || model.isBlank() || model.contains(",") || model.length() > 200
            || model.chars().anyMatch(Character::isWhitespace)) {
          throw new InvalidLimitException("allowed_models",
              "entries must be model ids without commas or whitespace, at most 200 characters");
        }
      }
      allowedModels = List.copyOf(allowedModels);
    }
  }

  private static void requirePositive(String field, Long value) {
    if (value != null && value <= 0) {
      throw new InvalidLimitException(field, "must be a positive integer or null, was " + value);
    }
  }

  /** These limits as the key's Redis hash carries them to the routers. */
  dev.silkroute.contracts.KeyLimits recorded() {
    return dev.silkroute.contracts.KeyLimits.of(optional(creditLimitMicros),
        optional(requestsPerMinute == null ? null : requestsPerMinute.longValue()), optional(tokensPerMinute),
        allowedModels == null ? List.of() : allowedModels);
  }

  private static OptionalLong optional(Long value) {
    return value == null ? OptionalLong.empty() : OptionalLong.of(value);
  }

  /** A limit value the API cannot accept; names the field. */
  public static final class InvalidLimitException extends IllegalArgumentException {
    private final String field;

    public InvalidLimitException(String field, String problem) {
      super(field + " " + problem + ".");
      this.field = field;
    }

    public String field() {
      return field;
    }
  }
}
