package dev.herd.spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads one checked {@code fleets.NAME} map into a {@link Fleet}, checking its references. */
final class FleetReader extends Binding {
  FleetReader(Problems problems, Path dir) {
    super(problems, dir);
  }

  /**
   * @param roleNames every declared role (even ones with errors, so a broken role is not also
   *     reported as missing)
   * @param roles the roles that loaded, for their defaults (limits, reload)
   */
  Optional<Fleet> read(
      String name, Fields f, Location at, Collection<String> roleNames, Map<String, Role> roles, Collection<String> envNames) {
    String role = f.string("role");
    if (f.has("role") && !roleNames.contains(role)) {
      error(f, "role", dangling("role", role, roleNames, "roles"));
    }
    String env = f.string("environment");
    if (f.has("environment") && !envNames.contains(env)) {
      error(f, "environment", dangling("environment", env, envNames, "environments"));
    }
    int count = f.integer("count");
    NamePattern names = f.opt("name", NamePattern.class).orElseGet(() -> NamePattern.forFleet(name));
    Optional<Role> r = Optional.ofNullable(roles.get(role));
    Limits limits = limits(f.obj("limits")).orElse(r.map(Role::limits).orElse(Limits.NONE));
    Map<String, Fleet.Volume> volumes = volumes(f, r);
    boolean stateful = f.written("volumes") && !f.entries("volumes").keyLocs().isEmpty();
    Optional<Fleet.Rollout> rollout = rollout(f.obj("rollout"), count, stateful);
    Optional<Fleet.Backup> backup = f.optObj("backup").flatMap(b -> backup(b, stateful));
    Optional<Duration> maxAge = f.optDuration("max_age");
    if (maxAge.isPresent() && maxAge.get().compareTo(Fleet.MIN_MAX_AGE) < 0) {
      error(f, "max_age", "must be at least 1m, got " + Durations.format(maxAge.get()));
    }
    Fleet.OnConfigChange onChange = f.choice("on_config_change", Fleet.OnConfigChange.class);
    if (onChange == Fleet.OnConfigChange.RELOAD && r.isPresent() && r.get().reload().isEmpty()) {
      error(f, "on_config_change", "reload needs the role to say how it reloads (add reload: {signal: HUP} to roles." + role + ")");
    }
    Fields d = f.obj("drift");
    Fleet.Drift drift = new Fleet.Drift(d.choice("image", Fleet.DriftAction.class), d.choice("config", Fleet.DriftAction.class),
        d.choice("filesystem", Fleet.DriftAction.class), d.choice("tamper", Fleet.DriftAction.class),
        d.choice("exposure", Fleet.DriftAction.class));
    Fields l = f.obj("logs");
    Fleet.Logs logs = new Fleet.Logs(l.duration("max_age"), l.get("max_size", Size.class, Size.ofBytes(0)));
    ImageRef image = f.get("image", ImageRef.class, new ImageRef.Latest());
    boolean readOnly = f.bool("read_only_root");
    Fleet.OnUnhealthy onUnhealthy = f.choice("on_unhealthy", Fleet.OnUnhealthy.class);
    Duration retention = f.duration("quarantine_retention");
    Optional<Fleet.Expose> expose = expose(f);
    canaryTraffic(f, expose);
    Optional<Autoscale> autoscale = f.written("autoscale") ? autoscale(f.obj("autoscale"), f.written("expose")) : Optional.empty();
    if (rollout.isEmpty() || (f.written("expose") && expose.isEmpty()) || (f.written("autoscale") && autoscale.isEmpty())
        || (f.written("backup") && backup.isEmpty()) || problems.anyUnder(f.pathOf("volumes"))) {
      return Optional.empty();
    }
    return guard(at, f.path(), () -> new Fleet(name, role, env, image, count, names, readOnly, limits, rollout.get(),
        maxAge, onUnhealthy, retention, onChange, drift, logs, expose, at, autoscale, dependsOn(f, name), volumes, backup));
  }

  /**
   * A volume must be where the node writes through to it: not under (or over) a writable tmpfs,
   * herd's own mounts or another volume of the fleet.
   */
  private Map<String, Fleet.Volume> volumes(Fields f, Optional<Role> role) {
    Val.Entries entries = f.entries("volumes");
    Map<String, Fleet.Volume> out = new java.util.LinkedHashMap<>();
    List<String> writable = role.map(Role::writable).orElse(List.of());
    entries.values().forEach((vol, v) -> {
      Fields vf = (Fields) v;
      if (!vf.has("path")) {
        return;
      }
      String path = vf.string("path");
      if (path.equals("/")) {
        error(vf, "path", "a volume cannot be the root filesystem (it stays read-only and comes from the image)");
        return;
      }
      for (String w : writable) {
        if (Fleet.Volume.overlap(path, w)) {
          error(vf, "path", (path.equals(w) ? "is" : path.startsWith(w + "/") ? "is inside" : "holds")
              + " the role's writable path " + w + " (its tmpfs would hide the volume)");
          return;
        }
      }
      for (String mount : List.of(HERD_CONFIG_MOUNT, HERD_SECRETS_MOUNT)) {
        if (Fleet.Volume.overlap(path, mount)) {
          error(vf, "path", "overlaps " + mount + ", which herd mounts itself");
          return;
        }
      }
      for (Fleet.Volume other : out.values()) {
        if (Fleet.Volume.overlap(path, other.path())) {
          error(vf, "path", "overlaps volume " + other.name() + " at " + other.path());
          return;
        }
      }
      guard(vf.keyLoc(), vf.path(), () -> new Fleet.Volume(vol, path)).ifPresent(x -> out.put(vol, x));
    });
    return out;
  }

  /** Where herd mounts the node's files (dev.herd.engine.NodeSpec; herd-spec cannot depend on the engine). */
  static final String HERD_CONFIG_MOUNT = "/etc/herd";
  static final String HERD_SECRETS_MOUNT = "/run/secrets";

  private Optional<Fleet.Backup> backup(Fields b, boolean stateful) {
    List<String> command = b.strings("command");
    List<String> restore = b.strings("restore");
    boolean ok = true;
    if (command.isEmpty() && !b.written("command") && !stateful) {
      problems.add(b.keyLoc(), b.path(), "backup needs a volume to export or a command whose output is the archive"
          + " (declare volumes, or backup.command and backup.restore)");
      ok = false;
    }
    if (b.has("command") && !b.written("restore")) {
      error(b, "command", "a backup command needs backup.restore: the command that reads the archive on stdin"
          + " (a backup that cannot be restored is not a backup)");
      ok = false;
    }
    if (b.has("restore") && !b.written("command")) {
      error(b, "restore", "a restore command goes with backup.command (a volume export is restored by herd itself)");
      ok = false;
    }
    Optional<Duration> every = b.optDuration("every");
    if (every.isPresent() && every.get().compareTo(Fleet.Backup.MIN_EVERY) < 0) {
      error(b, "every", "must be at least 1m, got " + Durations.format(every.get()));
      ok = false;
    }
    int keep = b.integer("keep");
    if (!ok || problems.anyUnder(b.path())) {
      return Optional.empty();
    }
    return guard(b.keyLoc(), b.path(), () -> new Fleet.Backup(command, restore, every, keep));
  }

  /** The fleets written under depends_on, each once; references are checked once all fleets are known. */
  private List<String> dependsOn(Fields f, String name) {
    List<String> out = new ArrayList<>();
    for (Val v : f.items("depends_on")) {
      String d = (String) ((Val.Scalar) v).value();
      if (d.equals(name)) {
        problems.add(v.loc(), v.path(), "a fleet cannot depend on itself");
      } else if (out.contains(d)) {
        problems.add(v.loc(), v.path(), "fleet " + d + " is listed twice");
      } else {
        out.add(d);
      }
    }
    return out;
  }

  /**
   * Every fleet named under depends_on exists, and no fleet waits for itself through others
   * (a cycle would keep every fleet in it from ever starting). A cycle is reported once, at
   * the entry of its first fleet in the order written.
   */
  void checkDependencies(Map<String, Fields> fields) {
    Map<String, List<Val>> edges = new LinkedHashMap<>();
    fields.forEach((name, f) -> {
      List<Val> known = new ArrayList<>();
      for (Val v : f.items("depends_on")) {
        String d = (String) ((Val.Scalar) v).value();
        if (!fields.containsKey(d)) {
          problems.add(v.loc(), v.path(), dangling("fleet", d, fields.keySet(), "fleets"));
        } else if (!d.equals(name)) {
          known.add(v);
        }
      }
      edges.put(name, known);
    });
    Set<String> reported = new HashSet<>();
    for (String start : edges.keySet()) {
      if (reported.contains(start)) {
        continue;
      }
      for (Val first : edges.get(start)) {
        List<String> path = cycleBack(start, (String) ((Val.Scalar) first).value(), edges, new ArrayList<>(List.of(start)), new HashSet<>());
        if (!path.isEmpty()) {
          reported.addAll(path);
          problems.add(first.loc(), first.path(), "fleets depend on each other in a cycle (" + String.join(" → ", path) + " → "
              + start + "), so none of them could ever start");
          break;
        }
      }
    }
  }

  /** The fleets from {@code start} through {@code next} back to {@code start}, or empty when there is no way back. */
  private static List<String> cycleBack(String start, String next, Map<String, List<Val>> edges, List<String> path,
      Set<String> seen) {
    if (next.equals(start)) {
      return path;
    }
    if (!seen.add(next)) {
      return List.of();
    }
    path.add(next);
    for (Val v : edges.getOrDefault(next, List.of())) {
      List<String> found = cycleBack(start, (String) ((Val.Scalar) v).value(), edges, path, seen);
      if (!found.isEmpty()) {
        return found;
      }
    }
    path.removeLast();
    return List.of();
  }

  /** A canary's weight and sticky cookie are the front door's: they need one (sticky: speaking HTTP). */
  private void canaryTraffic(Fields f, Optional<Fleet.Expose> expose) {
    Fields c = f.obj("rollout").obj("canary");
    if (c.written("weight") && !f.written("expose")) {
      error(c, "weight", "a weight is a share of the front door's requests: add expose (e.g. expose: {port: 8080}) to this fleet");
    }
    if (c.written("sticky") && c.bool("sticky")) {
      if (!f.written("expose")) {
        error(c, "sticky", "the sticky cookie is set by the front door: add expose (e.g. expose: {port: 8080})");
      } else if (expose.isPresent() && expose.get().protocol() != Fleet.Protocol.HTTP) {
        error(c, "sticky", "the sticky cookie needs expose.protocol http (this fleet's front door speaks tcp)");
      }
    }
  }

  private Optional<Fleet.Expose> expose(Fields f) {
    if (!f.written("expose")) {
      return Optional.empty();
    }
    Fields e = f.obj("expose");
    int port = e.integer("port");
    String bind = e.string("bind");
    if (e.written("bind") && !IpLiteral.isValid(bind)) {
      error(e, "bind", "expected " + IpLiteral.WHAT + ", got " + Texts.quote(bind));
      return Optional.empty();
    }
    Fleet.Protocol protocol = e.choice("protocol", Fleet.Protocol.class);
    Duration drain = e.duration("drain_timeout");
    int maxConnections = e.optLong("max_connections").map(Long::intValue).orElse(0);
    Location bindAt = e.written("bind") ? e.locOf("bind") : e.keyLoc();
    return guard(e.keyLoc(), e.path(), () -> new Fleet.Expose(port, bind, protocol, drain, maxConnections, e.locOf("port"), bindAt));
  }

  /**
   * Two front doors cannot listen on one address, and a front door must not take a port
   * herd hands out to nodes.
   */
  void checkExposed(Map<String, Fields> fields, PortRange ports, Collection<Fleet> fleets) {
    Map<Fleet.Expose, String> seen = new java.util.LinkedHashMap<>();
    for (Fleet fl : fleets) {
      if (fl.expose().isEmpty()) {
        continue;
      }
      Fleet.Expose e = fl.expose().get();
      Fields ef = fields.get(fl.name()).obj("expose");
      if (ports.contains(e.port())) {
        error(ef, "port", "port " + e.port() + " is inside project.ports " + ports + ", which herd gives to nodes");
      }
      seen.entrySet().stream().filter(s -> s.getKey().clashesWith(e)).findFirst().ifPresent(s ->
          error(ef, "port", "fleet " + s.getValue() + " already exposes " + s.getKey().address()
              + (s.getKey().bind().equals(e.bind()) ? "" : " (" + e.address() + " overlaps it)")));
      seen.put(e, fl.name());
    }
  }

  private Optional<Autoscale> autoscale(Fields a, boolean exposed) {
    int min = a.integer("min");
    int max = a.integer("max");
    if (a.has("min") && a.has("max") && min > max) {
      error(a, "min", "min " + min + " is more than max " + max);
    }
    Fields t = a.obj("target");
    int cpu = 0;
    int requests = 0;
    if (t.written("requests_per_node") && t.written("cpu")) {
      error(t, "requests_per_node", "give one target, cpu or requests_per_node, not both");
    } else if (t.written("requests_per_node")) {
      requests = t.integer("requests_per_node");
      if (!exposed) {
        error(t, "requests_per_node", "requests are measured by the fleet's front door: add expose: {port: ...} to the fleet, or use cpu");
      }
    } else if (!t.written("cpu")) {
      if (a.written("target")) {
        problems.add(a.locOf("target"), a.pathOf("target"), "give the target: cpu (like 60%) or requests_per_node");
      }
    } else {
      Optional<Amount> c = t.opt("cpu", Amount.class);
      if (c.isPresent() && !c.get().percent()) {
        error(t, "cpu", "the cpu target is a percentage like 60%, got " + c.get());
      } else if (c.isPresent() && c.get().isZero()) {
        error(t, "cpu", "the cpu target must be more than 0%");
      } else {
        cpu = c.map(Amount::value).orElse(0);
      }
    }
    Amount step = a.get("step", Amount.class, Amount.percentOf(100));
    if (step.isZero()) {
      error(a, "step", "must be more than 0 (nodes or a percentage)");
    }
    Amount tolerance = a.get("tolerance", Amount.class, Amount.percentOf(10));
    if (!tolerance.percent() || tolerance.value() > 50) {
      error(a, "tolerance", "must be a percentage between 0% and 50%, got " + tolerance);
    }
    Duration interval = a.duration("interval");
    if (interval.compareTo(Autoscale.MIN_INTERVAL) < 0) {
      error(a, "interval", "must be at least 1s, got " + Durations.format(interval));
    }
    int c = cpu;
    int r = requests;
    return guard(a.keyLoc(), a.path(), () -> new Autoscale(min, max, c, r, a.duration("scale_up_after"),
        a.duration("scale_down_after"), step, tolerance.value(), interval));
  }

  private Optional<Fleet.Rollout> rollout(Fields ro, int count, boolean stateful) {
    // a fleet with volumes recreates unless told otherwise (and anything else is refused below)
    Fleet.Strategy strategy = stateful && !ro.written("strategy") ? Fleet.Strategy.RECREATE : ro.choice("strategy", Fleet.Strategy.class);
    if (stateful && ro.has("strategy") && strategy != Fleet.Strategy.RECREATE) {
      error(ro, "strategy", "a fleet with volumes needs strategy recreate (each node's volume takes one node at a time:"
          + " the old one stops before the new one starts); " + strategy.keyword() + " would run two on one volume");
    }
    if (ro.written("canary") && strategy != Fleet.Strategy.CANARY) {
      problems.add(ro.keyLocOf("canary"), ro.pathOf("canary"), "only allowed with strategy canary (strategy is " + strategy.keyword() + ")");
    }
    if (ro.written("blue_green") && strategy != Fleet.Strategy.BLUE_GREEN) {
      problems.add(ro.keyLocOf("blue_green"), ro.pathOf("blue_green"), "only allowed with strategy blue_green (strategy is " + strategy.keyword() + ")");
    }
    Optional<Fleet.Canary> canary = Optional.empty();
    Fields c = ro.obj("canary");
    if (strategy == Fleet.Strategy.CANARY) {
      int n = c.integer("count");
      if (count > 0 && n > count) {
        error(c, "count", "canary count " + n + " is more than the fleet's count " + count);
      }
      Optional<Integer> weight = c.opt("weight", Amount.class).flatMap(w -> {
        if (!w.percent() || w.value() < 1 || w.value() > 99) {
          error(c, "weight", "must be a percentage between 1% and 99% of the requests, like 10%, got " + w);
          return Optional.empty();
        }
        return Optional.of(w.value());
      });
      canary = Optional.of(new Fleet.Canary(Math.max(1, n), c.duration("promote_after"), weight, c.bool("sticky")));
    } else {
      c.integer("count");
      c.duration("promote_after");
      c.opt("weight", Amount.class);
      c.bool("sticky");
    }
    Fields bg = ro.obj("blue_green");
    Optional<Fleet.BlueGreen> blueGreen = Optional.of(new Fleet.BlueGreen(bg.duration("remove_old_after")))
        .filter(x -> strategy == Fleet.Strategy.BLUE_GREEN);
    boolean recreate = strategy == Fleet.Strategy.RECREATE;
    Amount surge = recreate && !ro.written("max_surge") ? Amount.nodes(0) : ro.get("max_surge", Amount.class, Amount.nodes(1));
    Amount unavailable = recreate && !ro.written("max_unavailable") ? Amount.nodes(1) : ro.get("max_unavailable", Amount.class, Amount.nodes(0));
    if (recreate && ro.has("max_surge") && !surge.isZero()) {
      error(ro, "max_surge", (stateful ? "a fleet with volumes has no surge: a surge node would share the volume of the node it replaces"
          : "strategy recreate has no surge") + " (write 0 or leave it out)");
      return Optional.empty();
    }
    if (recreate && ro.has("max_unavailable") && !unavailable.equals(Amount.nodes(1))) {
      error(ro, "max_unavailable", "strategy recreate replaces one node at a time (write 1 or leave it out)");
      return Optional.empty();
    }
    if (stateful && !recreate) {
      return Optional.empty();
    }
    if (surge.isZero() && unavailable.isZero()) {
      String key = ro.written("max_surge") ? "max_surge" : "max_unavailable";
      error(ro, key, "max_surge and max_unavailable may not both be 0 (the rollout could never replace a node)");
    }
    Duration deadline = ro.duration("progress_deadline");
    if (deadline.isZero()) {
      error(ro, "progress_deadline", "must be more than 0");
    }
    Optional<Fleet.Canary> cn = canary;
    return guard(ro.keyLoc(), ro.path(), () -> new Fleet.Rollout(strategy, surge, unavailable, ro.duration("min_healthy_time"),
        deadline, ro.bool("auto_rollback"), cn, blueGreen));
  }

  /** Two fleets must never be able to give two nodes the same name. */
  void checkNodeNames(Map<String, Fields> fleets) {
    Map<String, String> owner = new HashMap<>();
    fleets.forEach((name, f) -> {
      NamePattern pattern = f.opt("name", NamePattern.class).orElseGet(() -> NamePattern.forFleet(name));
      for (int n = 1; n <= NamePattern.MAX_NODES; n++) {
        String node = pattern.name(n);
        String other = owner.putIfAbsent(node, name);
        if (other != null && !other.equals(name)) {
          problems.add(f.written("name") ? f.locOf("name") : f.keyLoc(), f.pathOf("name"),
              "node names collide with fleet " + other + " (both can name a node " + Texts.quote(node) + ")");
          return;
        }
      }
    });
  }

  /**
   * Two fleets must never claim one engine volume: names join project, fleet, node and volume
   * with '-', which names may contain too ("a" + "b-1" and "a-b" + "1").
   */
  void checkVolumes(String project, Map<String, Fields> fields, Collection<Fleet> fleets) {
    Map<String, String> owner = new HashMap<>();
    for (Fleet fl : fleets) {
      Val.Entries entries = fields.get(fl.name()).entries("volumes");
      volumes:
      for (Fleet.Volume v : fl.volumes().values()) {
        for (int n = 1; n <= NamePattern.MAX_NODES; n++) {
          String name = Fleet.volumeName(project, fl.name(), fl.nodeName(n), v.name());
          String other = owner.putIfAbsent(name, fl.name());
          if (other != null && !other.equals(fl.name())) {
            problems.add(entries.keyLocs().get(v.name()), entries.path() + "." + v.name(),
                "fleet " + other + " claims the same volume " + Texts.quote(name)
                + " (volumes are named <project>-<fleet>-<node>-<volume>; rename the volume or the fleet)");
            continue volumes;
          }
        }
      }
    }
  }

  /** The port range must hold every node of every fleet, rollout surge included. */
  void checkPorts(Fields project, PortRange ports, Collection<Fleet> fleets) {
    long needed = 0;
    for (Fleet f : fleets) {
      int extra = switch (f.rollout().strategy()) {
        case BLUE_GREEN -> f.count();
        case CANARY -> f.rollout().canary().map(Fleet.Canary::count).orElse(0) + f.rollout().maxSurge().resolve(f.count(), true);
        case ROLLING -> f.rollout().maxSurge().resolve(f.count(), true);
        case RECREATE -> 0;
      };
      needed += f.count() + extra;
    }
    if (needed > ports.size()) {
      error(project, "ports", "the range " + ports + " has " + ports.size() + " ports, but the fleets can need "
          + needed + " at once (count plus rollout surge)");
    }
  }
}
