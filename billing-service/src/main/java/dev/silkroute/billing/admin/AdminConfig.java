package dev.silkroute.billing.admin;

import dev.silkroute.billing.Settings.InvalidSettingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The bearer token that guards {@code /admin/**} ({@code silkroute.admin-token}). */
public record AdminConfig(String adminToken) {

  public AdminConfig {
    if (adminToken.length() < 8) {
      throw new InvalidSettingException("silkroute.admin-token", "<" + adminToken.length() + " chars>",
          "must be at least 8 characters");
    }
  }

  /** Constant-time, so that response timing does not leak how much of a guess was right. */
  boolean accepts(String presented) {
    return presented != null && MessageDigest.isEqual(
        adminToken.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "AdminConfig[adminToken=<redacted>]";
  }
}
