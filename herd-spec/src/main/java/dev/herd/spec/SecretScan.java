package dev.herd.spec;

import java.util.List;
import java.util.Objects;

/** The role's allowlist for the secret scan: false positives, each per path with a reason. */
public record SecretScan(List<Allow> allow) {
  public static final SecretScan NONE = new SecretScan(List.of());

  public SecretScan {
    allow = List.copyOf(allow);
  }

  /** {@code rules} empty means every rule is allowed for that path. */
  public record Allow(String path, List<String> rules, String reason, Location location) {
    public Allow {
      Objects.requireNonNull(path, "path");
      rules = List.copyOf(rules);
      if (reason == null || reason.isBlank()) {
        throw new IllegalArgumentException("a secret scan allowance needs a reason");
      }
      Objects.requireNonNull(location, "location");
    }
  }
}
