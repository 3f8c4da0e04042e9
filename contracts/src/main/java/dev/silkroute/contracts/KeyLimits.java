package dev.silkroute.contracts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What one API key may do, as its {@link ApiKeyRecord} hash carries it: a credit limit in micro-USD
 * (against {@link RedisKeys#keySpend}), requests and tokens per minute, and the models it may call.
 * Absent = unlimited; a field is present in the hash exactly when its limit is set.
 */
public record KeyLimits(OptionalLong creditLimitMicros, OptionalLong requestsPerMinute,
                        OptionalLong tokensPerMinute, Set<String> allowedModels) {

  public static final String CREDIT_LIMIT_MICROS = "credit_limit_micros";
  public static final String REQUESTS_PER_MINUTE = "rpm";
  public static final String TOKENS_PER_MINUTE = "tpm";
  /** Comma-separated model ids; no model id contains a comma. */
  public static final String ALLOWED_MODELS = "allowed_models";
  /** Every hash field of a limit. */
  public static final List<String> FIELDS =
      List.of(CREDIT_LIMIT_MICROS, REQUESTS_PER_MINUTE, TOKENS_PER_MINUTE, ALLOWED_MODELS);

  public static final KeyLimits NONE =
      new KeyLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), Set.of());

  public KeyLimits {
    // In the order given, so that the hash billing writes reads as the limits were entered.
    allowedModels = Collections.unmodifiableSet(new LinkedHashSet<>(allowedModels));
  }

  /** Empty {@code allowedModels} = every model. */
  public static KeyLimits of(OptionalLong creditLimitMicros, OptionalLong requestsPerMinute,
                             OptionalLong tokensPerMinute, Collection<String> allowedModels) {
    return new KeyLimits(creditLimitMicros, requestsPerMinute, tokensPerMinute, new LinkedHashSet<>(allowedModels));
  }

  public boolean allowsModel(String model) {
    return allowedModels.isEmpty() || allowedModels.contains(model);
  }

  /** The hash fields of the limits that are set. */
  public Map<String, String> hashFields() {
    Map<String, String> fields = new LinkedHashMap<>();
    creditLimitMicros.ifPresent(v -> fields.put(CREDIT_LIMIT_MICROS, Long.toString(v)));
    requestsPerMinute.ifPresent(v -> fields.put(REQUESTS_PER_MINUTE, Long.toString(v)));
    tokensPerMinute.ifPresent(v -> fields.put(TOKENS_PER_MINUTE, Long.toString(v)));
    if (!allowedModels.isEmpty()) {
      fields.put(ALLOWED_MODELS, String.join(",", allowedModels));
    }
    return fields;
  }

  /** The hash fields that must be absent because their limit is not set. */
  public List<String> absentHashFields() {
    List<String> absent = new ArrayList<>(FIELDS);
    absent.removeAll(hashFields().keySet());
    return absent;
  }

  /**
   * Reads the limit fields of a key's hash. A limit that cannot be read must not silently become
   * "unlimited", so an unreadable number reads as 0, which refuses everything; a negative one as unset.
   */
  public static KeyLimits fromHash(Map<String, String> fields) {
    return new KeyLimits(number(fields.get(CREDIT_LIMIT_MICROS)), number(fields.get(REQUESTS_PER_MINUTE)),
        number(fields.get(TOKENS_PER_MINUTE)), models(fields.get(ALLOWED_MODELS)));
  }

  private static OptionalLong number(String value) {
    if (value == null || value.isBlank()) {
      return OptionalLong.empty();
    }
    try {
      long parsed = Long.parseLong(value.trim());
      return parsed < 0 ? OptionalLong.empty() : OptionalLong.of(parsed);
    } catch (NumberFormatException e) {
      return OptionalLong.of(0);
    }
  }

  private static Set<String> models(String csv) {
    if (csv == null || csv.isBlank()) {
      return Set.of();
    }
    Set<String> models = new LinkedHashSet<>();
    Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(models::add);
    return models;
  }
}
