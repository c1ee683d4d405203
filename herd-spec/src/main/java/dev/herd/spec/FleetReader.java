package dev.herd.spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

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
    Optional<Fleet.Rollout> rollout = rollout(f.obj("rollout"), count);
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
        d.choice("filesystem", Fleet.DriftAction.class), d.choice("tamper", Fleet.DriftAction.class));
    Fields l = f.obj("logs");
    Fleet.Logs logs = new Fleet.Logs(l.duration("max_age"), l.get("max_size", Size.class, Size.ofBytes(0)));
    ImageRef image = f.get("image", ImageRef.class, new ImageRef.Latest());
    boolean readOnly = f.bool("read_only_root");
    Fleet.OnUnhealthy onUnhealthy = f.choice("on_unhealthy", Fleet.OnUnhealthy.class);
    Duration retention = f.duration("quarantine_retention");
    Optional<Fleet.Expose> expose = expose(f);
    Optional<Autoscale> autoscale = f.written("autoscale") ? autoscale(f.obj("autoscale")) : Optional.empty();
    if (rollout.isEmpty() || (f.written("expose") && expose.isEmpty()) || (f.written("autoscale") && autoscale.isEmpty())) {
      return Optional.empty();
    }
    return guard(at, f.path(), () -> new Fleet(name, role, env, image, count, names, readOnly, limits, rollout.get(),
        maxAge, onUnhealthy, retention, onChange, drift, logs, expose, at, autoscale));
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
    Location bindAt = e.written("bind") ? e.locOf("bind") : e.keyLoc();
    return guard(e.keyLoc(), e.path(), () -> new Fleet.Expose(port, bind, protocol, drain, e.locOf("port"), bindAt));
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

  private Optional<Autoscale> autoscale(Fields a) {
    int min = a.integer("min");
    int max = a.integer("max");
    if (a.has("min") && a.has("max") && min > max) {
      error(a, "min", "min " + min + " is more than max " + max);
    }
    Fields t = a.obj("target");
    int cpu = 0;
    if (t.written("requests_per_node")) {
      error(t, "requests_per_node", "needs request figures from the front door, which herd does not collect yet: use cpu for now");
    } else if (!t.written("cpu")) {
      if (a.written("target")) {
        problems.add(a.locOf("target"), a.pathOf("target"), "give the target: cpu (like 60%)");
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
    return guard(a.keyLoc(), a.path(), () -> new Autoscale(min, max, c, a.duration("scale_up_after"),
        a.duration("scale_down_after"), step, tolerance.value(), interval));
  }

  private Optional<Fleet.Rollout> rollout(Fields ro, int count) {
    Fleet.Strategy strategy = ro.choice("strategy", Fleet.Strategy.class);
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
      canary = Optional.of(new Fleet.Canary(Math.max(1, n), c.duration("promote_after")));
    } else {
      c.integer("count");
      c.duration("promote_after");
    }
    Fields bg = ro.obj("blue_green");
    Optional<Fleet.BlueGreen> blueGreen = Optional.of(new Fleet.BlueGreen(bg.duration("remove_old_after")))
        .filter(x -> strategy == Fleet.Strategy.BLUE_GREEN);
    Amount surge = ro.get("max_surge", Amount.class, Amount.nodes(1));
    Amount unavailable = ro.get("max_unavailable", Amount.class, Amount.nodes(0));
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

  /** The port range must hold every node of every fleet, rollout surge included. */
  void checkPorts(Fields project, PortRange ports, Collection<Fleet> fleets) {
    long needed = 0;
    for (Fleet f : fleets) {
      int extra = switch (f.rollout().strategy()) {
        case BLUE_GREEN -> f.count();
        case CANARY -> f.rollout().canary().map(Fleet.Canary::count).orElse(0) + f.rollout().maxSurge().resolve(f.count(), true);
        case ROLLING -> f.rollout().maxSurge().resolve(f.count(), true);
      };
      needed += f.count() + extra;
    }
    if (needed > ports.size()) {
      error(project, "ports", "the range " + ports + " has " + ports.size() + " ports, but the fleets can need "
          + needed + " at once (count plus rollout surge)");
    }
  }
}
