package dev.silkroute.billing;

/**
 * A setting that cannot be used, found by a rule that spans several properties or that a constraint
 * annotation cannot say; the message names the property and the value.
 */
public final class InvalidSettingException extends IllegalArgumentException {
  public InvalidSettingException(String name, String value, String problem) {
    super("Invalid configuration " + name + "=" + value + ": " + problem);
  }
}
