package dev.herd.control;

import dev.herd.control.state.Batch;
import dev.herd.spec.PortRange;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Leases host ports from the project's range. Leases live in ctl_ports and survive restarts; a
 * port is offered only when no lease holds it and the {@link PortCheck} finds it free.
 */
final class PortAllocator {
  private final PortCheck check;
  private final Set<Integer> leased = new HashSet<>();
  private final Set<Integer> refused = new HashSet<>();
  private PortRange range;
  private int cursor;

  PortAllocator(PortRange range, PortCheck check, Map<Integer, String> existing) {
    this.range = range;
    this.check = check;
    this.cursor = range.first();
    leased.addAll(existing.keySet());
  }

  synchronized void range(PortRange r) {
    if (!r.equals(range)) {
      range = r;
      cursor = r.first();
      refused.clear();
    }
  }

  /** Leases a free port for the node into {@code batch}; throws when the range is exhausted. */
  synchronized int lease(String fleet, String node, Batch batch) {
    for (int i = 0; i < range.size(); i++) {
      int port = cursor;
      cursor = cursor >= range.last() ? range.first() : cursor + 1;
      if (leased.contains(port) || refused.contains(port)) {
        continue;
      }
      if (!check.free(port)) {
        refused.add(port);
        continue;
      }
      leased.add(port);
      batch.lease(port, node, fleet);
      return port;
    }
    throw new IllegalStateException("no free port left in the project's range " + range + " (" + leased.size()
        + " leased, " + refused.size() + " in use outside herd)");
  }

  /** The engine found the port taken: skip it until the range changes. */
  synchronized void refuse(int port) {
    leased.remove(port);
    refused.add(port);
  }

  synchronized void adopt(int port) {
    leased.add(port);
  }

  synchronized void free(int port) {
    leased.remove(port);
  }
}
