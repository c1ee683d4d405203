package dev.herd.control;

import dev.herd.control.state.FleetRecord;
import dev.herd.control.state.FleetSettings;
import dev.herd.control.state.ReleaseSpec;
import dev.herd.control.state.RoleRuntime;
import dev.herd.spec.Durations;
import dev.herd.spec.Fleet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/** Describes what differs between two releases or two fleet settings, in words for people. */
final class Changes {
  private Changes() {}

  static List<String> release(ReleaseSpec a, ReleaseSpec b) {
    List<String> out = new ArrayList<>();
    if (!a.imageDigest().equals(b.imageDigest())) {
      out.add("image " + a.shortImage() + " → " + b.shortImage());
    }
    if (a.configRevision() != b.configRevision()) {
      out.add("config revision " + a.configRevision() + " → " + b.configRevision());
    }
    if (!a.secretRevisions().equals(b.secretRevisions())) {
      TreeSet<String> names = new TreeSet<>(a.secretRevisions().keySet());
      names.addAll(b.secretRevisions().keySet());
      names.removeIf(n -> Objects.equals(a.secretRevisions().get(n), b.secretRevisions().get(n)));
      out.add("secrets " + String.join(", ", names));
    }
    RoleRuntime x = a.runtime();
    RoleRuntime y = b.runtime();
    if (!x.command().equals(y.command())) {
      out.add("command");
    }
    if (!x.env().equals(y.env())) {
      // names only: config values are not secrets, but they do not belong in an event either
      TreeSet<String> keys = new TreeSet<>(x.env().keySet());
      keys.addAll(y.env().keySet());
      keys.removeIf(k -> Objects.equals(x.env().get(k), y.env().get(k)));
      out.add("config " + String.join(", ", keys));
    }
    if (x.readOnlyRoot() != y.readOnlyRoot() || !x.writable().equals(y.writable())) {
      out.add("filesystem (read-only root, writable paths)");
    }
    if (!x.healthText().equals(y.healthText())) {
      out.add("health check");
    }
    if (x.memoryBytes() != y.memoryBytes() || x.cpus() != y.cpus()) {
      out.add("limits");
    }
    if (!x.launch().equals(y.launch())) {
      TreeSet<String> keys = new TreeSet<>(x.launch().keySet());
      keys.addAll(y.launch().keySet());
      keys.removeIf(k -> Objects.equals(x.launch().get(k), y.launch().get(k)));
      out.add("launch " + String.join(", ", keys));
    }
    if (out.isEmpty()) {
      out.add("runtime");
    }
    return out;
  }

  static List<String> settings(FleetRecord current, FleetSettings next) {
    List<String> out = new ArrayList<>();
    FleetSettings s = current.settings();
    if (current.deleted()) {
      out.add("fleet restored (it was being deleted)");
    }
    if (s.count() != next.count()) {
      out.add("count " + s.count() + " → " + next.count());
    }
    if (current.scaleOverride().isPresent() && current.scaleOverride().getAsInt() != next.count()) {
      out.add("scale override " + current.scaleOverride().getAsInt() + " replaced by the spec's count " + next.count());
    }
    if (!s.nodeName().equals(next.nodeName())) {
      out.add("node names " + s.nodeName() + " → " + next.nodeName());
    }
    if (!s.rollout().equals(next.rollout())) {
      out.add("rollout settings");
    }
    if (!s.maxAge().equals(next.maxAge()) || s.onUnhealthy() != next.onUnhealthy()
        || !s.quarantineRetention().equals(next.quarantineRetention())) {
      out.add("node lifecycle settings");
    }
    if (!s.logs().equals(next.logs())) {
      out.add("log retention");
    }
    if (!s.drift().equals(next.drift())) {
      out.add("drift policy");
    }
    if (!s.dependsOn().equals(next.dependsOn())) {
      out.add("depends_on " + s.dependsOn() + " → " + next.dependsOn());
    }
    out.addAll(frontDoor(s.expose(), next.expose()));
    if (!s.backup().equals(next.backup())) {
      out.add("backup settings");
    }
    return out;
  }

  /** What changed in a fleet's front door ({@code expose}), one phrase per key. */
  static List<String> frontDoor(Optional<Fleet.Expose> current, Optional<Fleet.Expose> next) {
    if (current.isEmpty() && next.isEmpty()) {
      return List.of();
    }
    if (current.isEmpty()) {
      return List.of("front door added (" + next.get().address() + ")");
    }
    if (next.isEmpty()) {
      return List.of("front door removed");
    }
    Fleet.Expose a = current.get();
    Fleet.Expose b = next.get();
    List<String> out = new ArrayList<>();
    if (!a.address().equals(b.address())) {
      out.add("front door " + a.address() + " → " + b.address());
    }
    if (a.protocol() != b.protocol()) {
      out.add("front door protocol " + a.protocol().keyword() + " → " + b.protocol().keyword());
    }
    if (!a.drainTimeout().equals(b.drainTimeout())) {
      out.add("front door drain_timeout " + Durations.format(a.drainTimeout()) + " → " + Durations.format(b.drainTimeout()));
    }
    if (a.maxConnections() != b.maxConnections()) {
      out.add("front door max_connections " + limit(a.maxConnections()) + " → " + limit(b.maxConnections()));
    }
    return out;
  }

  private static String limit(int maxConnections) {
    return maxConnections == 0 ? "none" : Integer.toString(maxConnections);
  }
}
