package dev.silkroute.billing.admin;

import dev.silkroute.billing.InvalidSettingException;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.bind.annotation.Bindable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The bearer token that guards {@code /admin/**} ({@code silkroute.admin-token}; env {@code SILKROUTE_ADMIN_TOKEN}). */
@Context // bound at start-up: a bad value stops it
@ConfigurationProperties("silkroute")
public record AdminConfig(
    @Bindable(defaultValue = "dev-admin-token") String adminToken) {

  public AdminConfig {
    if (adminToken == null || adminToken.strip().length() < 8) {
      throw new InvalidSettingException("silkroute.admin-token", "<" + (adminToken == null ? 0 : adminToken.strip().length()) + " chars>",
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
