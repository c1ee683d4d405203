package dev.herd.spec;

import java.time.Duration;
import java.util.Objects;

/** A shell step run in a sandbox over the staged root filesystem; its changes become a layer. */
public record RunStep(String name, String shell, boolean network, Duration timeout, Location location, String keyPath) {
  public RunStep {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(shell, "shell");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("run step timeout must be more than 0");
    }
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(keyPath, "keyPath");
  }
}
