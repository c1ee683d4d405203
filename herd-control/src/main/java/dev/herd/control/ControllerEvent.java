package dev.herd.control;

import dev.herd.control.state.Event;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A decision or observation of the controller, as its API gives it: what happened, to which
 * fleet and node, and why in an operator's words.
 *
 * @param id increasing; clients resume a stream after the last id they saw
 * @param node the node's name, empty for fleet-level events
 * @param kind lower-case keyword ({@code node_replaced}, {@code rollout_started}, ... see docs/controller.md)
 */
public record ControllerEvent(long id, Instant time, String fleet, String node, String kind, String reason) {
  public ControllerEvent {
    Objects.requireNonNull(time, "time");
    fleet = fleet == null ? "" : fleet;
    node = node == null ? "" : node;
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(reason, "reason");
  }

  static ControllerEvent of(Event e) {
    return new ControllerEvent(e.id(), e.time(), e.fleet(), e.node(), e.kind().name().toLowerCase(Locale.ROOT), e.reason());
  }

  @Override
  public String toString() {
    return time + " " + kind + " " + (fleet.isEmpty() ? "" : fleet + " ") + reason;
  }
}
