package dev.herd.control;

import java.util.List;

/**
 * The front door's part in taking a node out: before the actuator removes or stops a node that
 * may serve, no new request goes to it and the ones in flight finish. The actuator calls it
 * without the fleet's lock (an operator's pause or abort never waits for a drain).
 */
interface Drainer {
  /**
   * Stops sending requests to {@code nodes} of {@code fleet} (after adding the fleet's nodes
   * that became ready, so the backend is never left empty), then returns once their
   * connections have ended or each one's timeout has passed; they serve nothing afterwards.
   * A failure is logged, never thrown: the node is removed anyway and HAProxy's retries cover it.
   */
  void drain(String fleet, List<FleetPlan.Drain> nodes);

  /** No front door: nothing to drain. */
  Drainer NONE = (fleet, nodes) -> {};
}
