package dev.herd.control;

import dev.herd.control.state.NodeRecord;
import dev.herd.control.state.Release;
import dev.herd.control.state.Store;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** Which fleets run which image, read from the controller's records without a running controller (herd outdated). */
public final class FleetImages {
  private FleetImages() {}

  /** Image digest → fleet names: each fleet's current release and every node's release. */
  public static Map<String, SortedSet<String>> byDigest(Path stateDir) {
    Map<String, SortedSet<String>> out = new TreeMap<>();
    try (Store store = Store.open(stateDir)) {
      for (var fleet : store.fleets()) {
        if (!fleet.deleted()) {
          store.release(fleet.currentRelease()).ifPresent(r -> add(out, r, fleet.name()));
        }
      }
      for (NodeRecord node : store.allNodes()) {
        store.release(node.releaseId()).ifPresent(r -> add(out, r, node.fleet()));
      }
    }
    return out;
  }

  private static void add(Map<String, SortedSet<String>> out, Release release, String fleet) {
    out.computeIfAbsent(release.spec().imageDigest(), d -> new TreeSet<>()).add(fleet);
  }
}
