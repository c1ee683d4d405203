package dev.herd.spec;

import java.util.List;

/** The role's allowlist for the secret scan: false positives, each per path with a reason. */
public record SecretScan(List<Allow> allow) {
  public static final SecretScan NONE = new SecretScan(List.of());

  /** {@code rules} empty means every rule is allowed for that path. */
  public record Allow(String path, List<String> rules, String reason, Location location) {}
}
