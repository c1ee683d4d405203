package dev.herd.spec;

import java.util.OptionalDouble;
import java.util.OptionalLong;

/** Resource limits of a node; empty means unlimited. */
public record Limits(OptionalLong memoryBytes, OptionalDouble cpus) {
  public static final Limits NONE = new Limits(OptionalLong.empty(), OptionalDouble.empty());

  public Limits {
    if (memoryBytes.isPresent() && memoryBytes.getAsLong() < 4L << 20) {
      throw new IllegalArgumentException("memory limit must be at least 4Mi, got " + new Size(memoryBytes.getAsLong()));
    }
    if (cpus.isPresent() && !(cpus.getAsDouble() > 0 && cpus.getAsDouble() <= 1024)) {
      throw new IllegalArgumentException("cpus must be more than 0 and at most 1024, got " + cpus.getAsDouble());
    }
  }

  /** These limits, with each unset one taken from {@code defaults} (a fleet's over its role's). */
  public Limits orElse(Limits defaults) {
    return new Limits(
        memoryBytes.isPresent() ? memoryBytes : defaults.memoryBytes,
        cpus.isPresent() ? cpus : defaults.cpus);
  }

  public boolean isNone() {
    return memoryBytes.isEmpty() && cpus.isEmpty();
  }
}
