package dev.silkroute.billing;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads raw configuration values and turns them into typed, range-checked values, failing with
 * the property name and the bad value so that a misconfigured service refuses to start instead
 * of misbehaving at first use. Plain Java: the source is any {@code name -> Optional<String>}.
 */
public final class Settings {

  private final Function<String, Optional<String>> source;

  public Settings(Function<String, Optional<String>> source) {
    this.source = source;
  }

  public String text(String name, String defaultValue) {
    String value = source.apply(name).orElse(defaultValue);
    if (value == null || value.isBlank()) {
      throw new InvalidSettingException(name, value, "must not be blank");
    }
    return value.trim();
  }

  public int integer(String name, int defaultValue, int min, int max) {
    String raw = source.apply(name).orElse(null);
    int value;
    if (raw == null || raw.isBlank()) {
      value = defaultValue;
    } else {
      try {
        value = Integer.parseInt(raw.trim());
      } catch (NumberFormatException e) {
        throw new InvalidSettingException(name, raw, "must be an integer");
      }
    }
    if (value < min || value > max) {
      throw new InvalidSettingException(name, String.valueOf(value),
          "must be between " + min + " and " + max);
    }
    return value;
  }

  public boolean flag(String name, boolean defaultValue) {
    String raw = source.apply(name).orElse(null);
    if (raw == null || raw.isBlank()) {
      return defaultValue;
    }
    return switch (raw.trim().toLowerCase()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new InvalidSettingException(name, raw, "must be true or false");
    };
  }

  /** Accepts ISO-8601 ({@code PT2S}) or the short forms {@code 250ms}, {@code 2s}, {@code 1m}. */
  public Duration duration(String name, Duration defaultValue, Duration min, Duration max) {
    String raw = source.apply(name).orElse(null);
    Duration value = raw == null || raw.isBlank() ? defaultValue : parseDuration(name, raw.trim());
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new InvalidSettingException(name, raw == null ? value.toString() : raw,
          "must be between " + min + " and " + max);
    }
    return value;
  }

  private static Duration parseDuration(String name, String raw) {
    try {
      if (raw.startsWith("P") || raw.startsWith("p")) {
        return Duration.parse(raw);
      }
      if (raw.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(raw.substring(0, raw.length() - 2)));
      }
      if (raw.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(raw.substring(0, raw.length() - 1)));
      }
      if (raw.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(raw.substring(0, raw.length() - 1)));
      }
    } catch (NumberFormatException | DateTimeParseException e) {
      // falls through to the message below
    }
    throw new InvalidSettingException(name, raw, "must be a duration such as 250ms, 2s, 1m or PT2S");
  }

  /** A configuration value that cannot be used; the message names the property and the value. */
  public static final class InvalidSettingException extends IllegalArgumentException {
    public InvalidSettingException(String name, String value, String problem) {
      super("Invalid configuration " + name + "=" + value + ": " + problem);
    }
  }
}
