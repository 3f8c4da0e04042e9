package dev.silkroute.router.limits;

import java.util.Arrays;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one API key may do, as billing-service mirrors it into the key's Redis hash: a credit limit
 * in micro-USD, requests and tokens per minute, and the models it may call. Absent = unlimited.
 */
public record KeyLimits(OptionalLong creditLimitMicros, OptionalLong requestsPerMinute,
                        OptionalLong tokensPerMinute, Set<String> allowedModels) {

  public static final KeyLimits NONE =
      new KeyLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), Set.of());

  public KeyLimits {
    allowedModels = Set.copyOf(allowedModels);
  }

  /** Reads the fields {@code credit_limit_micros}, {@code rpm}, {@code tpm}, {@code allowed_models}. */
  public static KeyLimits fromRedisHash(Map<String, String> fields) {
    return new KeyLimits(number(fields, "credit_limit_micros"), number(fields, "rpm"), number(fields, "tpm"),
        models(fields.get("allowed_models")));
  }

  public boolean allowsModel(String model) {
    return allowedModels.isEmpty() || allowedModels.contains(model);
  }

  private static OptionalLong number(Map<String, String> fields, String name) {
    String value = fields.get(name);
    if (value == null || value.isBlank()) {
      return OptionalLong.empty();
    }
    try {
      long parsed = Long.parseLong(value.trim());
      return parsed < 0 ? OptionalLong.empty() : OptionalLong.of(parsed);
    } catch (NumberFormatException e) {
      // A limit we cannot read must not silently become "unlimited": refuse everything instead.
      return OptionalLong.of(0);
    }
  }

  private static Set<String> models(String csv) {
    if (csv == null || csv.isBlank()) {
      return Set.of();
    }
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
  }
}
