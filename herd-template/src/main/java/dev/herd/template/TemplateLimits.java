package dev.herd.template;

import java.time.Duration;
import java.util.Objects;

/**
 * What one render may cost. A template is config, not a program: these bounds are far above any
 * real config file and far below what hurts the machine (a bake or a node start).
 *
 * @param maxOutputChars characters of output, and of any one string value
 * @param maxIterations loop iterations in the whole render (nested loops multiply)
 * @param maxRange the longest list {@code range()} may build; longer is an error, never a cut
 * @param timeLimit wall time of the render
 */
public record TemplateLimits(long maxOutputChars, long maxIterations, int maxRange, Duration timeLimit) {
  /** A role's templates at bake time. */
  public static final TemplateLimits BAKE = new TemplateLimits(64L << 20, 1_000_000, 100_000, Duration.ofSeconds(3));
  /** A role's {@code launch:} values, evaluated by the controller at every node start. */
  public static final TemplateLimits LAUNCH = new TemplateLimits(64L << 10, 10_000, 10_000, Duration.ofMillis(500));

  public TemplateLimits {
    Objects.requireNonNull(timeLimit, "timeLimit");
    if (maxOutputChars < 1 || maxIterations < 1 || maxRange < 1 || timeLimit.isNegative() || timeLimit.isZero()) {
      throw new IllegalArgumentException("template limits must be positive");
    }
  }
}
