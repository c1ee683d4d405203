package dev.herd.control.state;

import dev.herd.spec.Amount;
import dev.herd.spec.Durations;
import dev.herd.spec.Fleet;
import dev.herd.spec.NamePattern;
import dev.herd.spec.Size;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The parts of a fleet's spec the controller acts on, stored with the fleet so a restarted
 * controller keeps reconciling before anyone applies the spec again.
 */
public record FleetSettings(
    String name,
    String role,
    int count,
    NamePattern nodeName,
    Fleet.Rollout rollout,
    Optional<Duration> maxAge,
    Fleet.OnUnhealthy onUnhealthy,
    Duration quarantineRetention,
    Fleet.Logs logs,
    Fleet.Drift drift,
    Optional<Fleet.Expose> expose) {

  /** The longest generation suffix herd appends to a node name ({@code -g} + 6 digits). */
  static final int GENERATION_SUFFIX = 8;

  public FleetSettings {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    if (count < 0 || count > Fleet.MAX_COUNT) {
      throw new IllegalArgumentException("count must be 0-" + Fleet.MAX_COUNT + ", got " + count);
    }
    Objects.requireNonNull(nodeName, "nodeName");
    if (nodeName.name(NamePattern.MAX_NODES).length() + GENERATION_SUFFIX > 63) {
      throw new IllegalArgumentException("fleet " + name + ": node name pattern " + nodeName
          + " is too long: herd adds a generation suffix (-g<N>) and container names stay within 63 characters");
    }
    Objects.requireNonNull(rollout, "rollout");
    Objects.requireNonNull(maxAge, "maxAge");
    Objects.requireNonNull(onUnhealthy, "onUnhealthy");
    Objects.requireNonNull(quarantineRetention, "quarantineRetention");
    Objects.requireNonNull(logs, "logs");
    Objects.requireNonNull(drift, "drift");
    // Stored settings compare equal whatever line the expose key was written on.
    expose = Objects.requireNonNull(expose, "expose").map(FleetSettings::unlocated);
  }

  /** Settings without a front door. */
  public FleetSettings(String name, String role, int count, NamePattern nodeName, Fleet.Rollout rollout,
      Optional<Duration> maxAge, Fleet.OnUnhealthy onUnhealthy, Duration quarantineRetention, Fleet.Logs logs,
      Fleet.Drift drift) {
    this(name, role, count, nodeName, rollout, maxAge, onUnhealthy, quarantineRetention, logs, drift, Optional.empty());
  }

  private static Fleet.Expose unlocated(Fleet.Expose e) {
    return new Fleet.Expose(e.port(), e.bind(), e.protocol(), e.drainTimeout(), dev.herd.spec.Location.UNKNOWN,
        dev.herd.spec.Location.UNKNOWN);
  }

  /** Settings with herd's default drift policy (replace on every kind). */
  public FleetSettings(String name, String role, int count, NamePattern nodeName, Fleet.Rollout rollout,
      Optional<Duration> maxAge, Fleet.OnUnhealthy onUnhealthy, Duration quarantineRetention, Fleet.Logs logs) {
    this(name, role, count, nodeName, rollout, maxAge, onUnhealthy, quarantineRetention, logs, Fleet.Drift.REPLACE_ALL);
  }

  public static FleetSettings of(Fleet f) {
    return new FleetSettings(f.name(), f.role(), f.count(), f.nodeName(), f.rollout(), f.maxAge(), f.onUnhealthy(),
        f.quarantineRetention(), f.logs(), f.drift(), f.expose());
  }

  public FleetSettings withCount(int n) {
    return new FleetSettings(name, role, n, nodeName, rollout, maxAge, onUnhealthy, quarantineRetention, logs, drift, expose);
  }

  public int maxSurge(int forCount) {
    return rollout.maxSurge().resolve(forCount, true);
  }

  public int maxUnavailable(int forCount) {
    return rollout.maxUnavailable().resolve(forCount, false);
  }

  public String encode() {
    Map<String, String> f = new TreeMap<>();
    f.put("name", name);
    f.put("role", role);
    f.put("count", Integer.toString(count));
    f.put("node_name", nodeName.pattern());
    f.put("rollout.strategy", rollout.strategy().keyword());
    f.put("rollout.max_surge", rollout.maxSurge().toString());
    f.put("rollout.max_unavailable", rollout.maxUnavailable().toString());
    f.put("rollout.min_healthy_time", Durations.format(rollout.minHealthyTime()));
    f.put("rollout.progress_deadline", Durations.format(rollout.progressDeadline()));
    f.put("rollout.auto_rollback", Boolean.toString(rollout.autoRollback()));
    rollout.canary().ifPresent(c -> {
      f.put("rollout.canary.count", Integer.toString(c.count()));
      f.put("rollout.canary.promote_after", Durations.format(c.promoteAfter()));
    });
    rollout.blueGreen().ifPresent(b -> f.put("rollout.blue_green.remove_old_after", Durations.format(b.removeOldAfter())));
    maxAge.ifPresent(a -> f.put("max_age", Durations.format(a)));
    f.put("on_unhealthy", onUnhealthy.keyword());
    f.put("quarantine_retention", Durations.format(quarantineRetention));
    f.put("logs.max_age", Durations.format(logs.maxAge()));
    f.put("logs.max_size", Long.toString(logs.maxSize().bytes()));
    f.put("drift.image", drift.image().keyword());
    f.put("drift.config", drift.config().keyword());
    f.put("drift.filesystem", drift.filesystem().keyword());
    f.put("drift.tamper", drift.tamper().keyword());
    expose.ifPresent(e -> {
      f.put("expose.port", Integer.toString(e.port()));
      f.put("expose.bind", e.bind());
      f.put("expose.protocol", e.protocol().keyword());
      f.put("expose.drain_timeout", Durations.format(e.drainTimeout()));
    });
    return Codec.encode(f);
  }

  public static FleetSettings decode(String text) {
    Map<String, String> f = Codec.decode(text);
    Optional<Fleet.Canary> canary = Optional.ofNullable(f.get("rollout.canary.count"))
        .map(c -> new Fleet.Canary(Integer.parseInt(c), Durations.parse(f.get("rollout.canary.promote_after"))));
    Optional<Fleet.BlueGreen> bg = Optional.ofNullable(f.get("rollout.blue_green.remove_old_after"))
        .map(d -> new Fleet.BlueGreen(Durations.parse(d)));
    Fleet.Rollout rollout = new Fleet.Rollout(
        Fleet.Strategy.valueOf(f.get("rollout.strategy").toUpperCase()),
        Amount.parse(f.get("rollout.max_surge")), Amount.parse(f.get("rollout.max_unavailable")),
        Durations.parse(f.get("rollout.min_healthy_time")), Durations.parse(f.get("rollout.progress_deadline")),
        Boolean.parseBoolean(f.get("rollout.auto_rollback")), canary, bg);
    return new FleetSettings(f.get("name"), f.get("role"), Integer.parseInt(f.get("count")),
        new NamePattern(f.get("node_name")), rollout, Optional.ofNullable(f.get("max_age")).map(Durations::parse),
        Fleet.OnUnhealthy.valueOf(f.get("on_unhealthy").toUpperCase()), Durations.parse(f.get("quarantine_retention")),
        new Fleet.Logs(Durations.parse(f.get("logs.max_age")), Size.ofBytes(Long.parseLong(f.get("logs.max_size")))),
        // settings stored before drift policies existed mean the default: replace
        new Fleet.Drift(driftAction(f, "drift.image"), driftAction(f, "drift.config"), driftAction(f, "drift.filesystem"),
            driftAction(f, "drift.tamper")),
        // settings stored before front doors existed have none
        Optional.ofNullable(f.get("expose.port")).map(port -> new Fleet.Expose(Integer.parseInt(port), f.get("expose.bind"),
            Fleet.Protocol.valueOf(f.get("expose.protocol").toUpperCase()), Durations.parse(f.get("expose.drain_timeout")),
            dev.herd.spec.Location.UNKNOWN, dev.herd.spec.Location.UNKNOWN)));
  }

  private static Fleet.DriftAction driftAction(Map<String, String> f, String key) {
    return Fleet.DriftAction.valueOf(f.getOrDefault(key, "replace").toUpperCase());
  }
}
