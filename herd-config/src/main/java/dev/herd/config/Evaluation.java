package dev.herd.config;

import java.util.Objects;

/**
 * A flag's value for one context and why ("percentage 30%, bucket 1234"), at the environment's
 * flag revision {@code revision}.
 *
 * @param on whether the flag's on value (a variant) was served rather than its off value
 */
public record Evaluation(String flag, String value, boolean on, String reason, long revision) {
  public Evaluation {
    Objects.requireNonNull(flag, "flag");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(reason, "reason");
  }
}
