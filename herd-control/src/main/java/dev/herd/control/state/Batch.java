package dev.herd.control.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Changes written together in one transaction ({@link Store#commit}). A reconcile pass collects
 * its decisions here, so the steady state costs no writes and a busy pass costs few.
 */
public final class Batch {
  record Lease(int port, String node, String fleet) {}

  record Generation(String fleet, String slot, long last) {}

  final Map<String, NodeRecord> nodes = new LinkedHashMap<>();
  final List<String> deletedNodes = new ArrayList<>();
  final List<Lease> leases = new ArrayList<>();
  final List<Integer> freedPorts = new ArrayList<>();
  final List<Event> events = new ArrayList<>();
  final List<Generation> generations = new ArrayList<>();
  final List<Generation> unusedGenerations = new ArrayList<>();
  final List<Release> releases = new ArrayList<>();
  final Map<String, FleetRecord> fleets = new LinkedHashMap<>();
  final List<String> deletedFleets = new ArrayList<>();
  final Map<String, Rollout> rollouts = new LinkedHashMap<>();
  final List<String> clearedRollouts = new ArrayList<>();

  public Batch put(NodeRecord n) {
    nodes.put(n.engineName(), n);
    deletedNodes.remove(n.engineName());
    return this;
  }

  /** Forgets the node and frees its port lease. */
  public Batch delete(NodeRecord n) {
    nodes.remove(n.engineName());
    deletedNodes.add(n.engineName());
    freedPorts.add(n.port());
    return this;
  }

  public Batch lease(int port, String node, String fleet) {
    leases.add(new Lease(port, node, fleet));
    freedPorts.remove(Integer.valueOf(port));
    return this;
  }

  public Batch event(Instant time, String fleet, String node, EventKind kind, String reason) {
    events.add(new Event(0, time, fleet, node, kind, reason));
    return this;
  }

  public Batch generation(String fleet, String slot, long last) {
    generations.add(new Generation(fleet, slot, last));
    return this;
  }

  /**
   * Gives back generation {@code unused} of a slot when no container ever had its name (the
   * start failed before the engine created one): the slot's counter returns to the one before,
   * unless a later generation was recorded meanwhile.
   */
  public Batch unusedGeneration(String fleet, String slot, long unused) {
    unusedGenerations.add(new Generation(fleet, slot, unused));
    return this;
  }

  public Batch release(Release r) {
    releases.add(r);
    return this;
  }

  public Batch fleet(FleetRecord f) {
    fleets.put(f.name(), f);
    return this;
  }

  public Batch deleteFleet(String name) {
    fleets.remove(name);
    deletedFleets.add(name);
    return this;
  }

  public Batch rollout(Rollout r) {
    rollouts.put(r.fleet(), r);
    clearedRollouts.remove(r.fleet());
    return this;
  }

  public Batch clearRollout(String fleet) {
    rollouts.remove(fleet);
    clearedRollouts.add(fleet);
    return this;
  }

  public List<Event> events() {
    return List.copyOf(events);
  }

  public boolean isEmpty() {
    return nodes.isEmpty() && deletedNodes.isEmpty() && leases.isEmpty() && freedPorts.isEmpty() && events.isEmpty()
        && generations.isEmpty() && unusedGenerations.isEmpty() && releases.isEmpty() && fleets.isEmpty() && deletedFleets.isEmpty()
        && rollouts.isEmpty() && clearedRollouts.isEmpty();
  }
}
