package dev.herd.spec;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** How herd decides a node is healthy. Exactly one check kind. */
public record Health(
    Check check, Duration interval, Duration timeout, Duration startGrace, int failureThreshold, Location location) {

  public Health {
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(startGrace, "startGrace");
    Objects.requireNonNull(location, "location");
    if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("health interval and timeout must be more than 0");
    }
    if (timeout.compareTo(interval) >= 0) {
      throw new IllegalArgumentException("health timeout must be less than the interval");
    }
    if (startGrace.isNegative()) {
      throw new IllegalArgumentException("health start_grace must not be negative");
    }
    if (failureThreshold < 1) {
      throw new IllegalArgumentException("health failure_threshold must be at least 1");
    }
  }

  public sealed interface Check {}

  /** GET {@code path} on the node's port; healthy when the status equals {@code expectStatus}. */
  public record Http(String path, int expectStatus) implements Check {
    public Http {
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("health http path must start with /, got " + path);
      }
      if (expectStatus < 100 || expectStatus > 599) {
        throw new IllegalArgumentException("health http status must be 100-599, got " + expectStatus);
      }
    }
  }

  /** A TCP connect to the node's port. */
  public record Tcp() implements Check {}

  /** A command run inside the node; exit 0 is healthy. */
  public record Command(List<String> command) implements Check {
    public Command {
      command = List.copyOf(command);
      if (command.isEmpty()) {
        throw new IllegalArgumentException("health command must not be empty");
      }
    }
  }
}
