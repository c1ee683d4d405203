package dev.herd.control.state;

import java.time.Instant;
import java.util.Objects;

/**
 * A decision or observation of the controller, with its reason in words an operator reads
 * ({@code web-3 replaced: health check failed 3 times (HTTP 500)}).
 *
 * @param id increasing; clients resume a stream after the last id they saw
 * @param node the node's slot name, empty for fleet-level events
 */
public record Event(long id, Instant time, String fleet, String node, EventKind kind, String reason) {
  public Event {
    Objects.requireNonNull(time, "time");
    fleet = fleet == null ? "" : fleet;
    node = node == null ? "" : node;
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(reason, "reason");
  }

  @Override
  public String toString() {
    return time + " " + kind + " " + (fleet.isEmpty() ? "" : fleet + " ") + reason;
  }
}
