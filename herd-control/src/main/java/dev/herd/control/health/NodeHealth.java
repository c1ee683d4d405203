package dev.herd.control.health;

import java.time.Instant;

/** What the monitor knows about one node: starting, healthy since when, or unhealthy and why. */
public record NodeHealth(State state, Instant healthySince, String reason) {
  public enum State { STARTING, HEALTHY, UNHEALTHY }

  public static final NodeHealth STARTING = new NodeHealth(State.STARTING, null, "");
}
