package dev.herd.spec;

import java.time.Duration;
import java.util.List;

/** How herd decides a node is healthy. Exactly one check kind. */
public record Health(
    Check check, Duration interval, Duration timeout, Duration startGrace, int failureThreshold, Location location) {

  public sealed interface Check {}

  /** GET {@code path} on the node's port; healthy when the status equals {@code expectStatus}. */
  public record Http(String path, int expectStatus) implements Check {}

  /** A TCP connect to the node's port. */
  public record Tcp() implements Check {}

  /** A command run inside the node; exit 0 is healthy. */
  public record Command(List<String> command) implements Check {}
}
