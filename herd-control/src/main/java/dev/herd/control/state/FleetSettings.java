package dev.herd.control.state;

import dev.herd.spec.Amount;
import dev.herd.spec.Durations;
import dev.herd.spec.Fleet;
import dev.herd.spec.NamePattern;
import dev.herd.spec.Size;
import java.time.Duration;
import java.util.List;
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
    Optional<Fleet.Expose> expose,
    List<String> dependsOn,
    List<Fleet.Volume> volumes,
    Optional<Fleet.Backup> backup) {

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
    dependsOn = List.copyOf(dependsOn);
    volumes = List.copyOf(volumes);
    Objects.requireNonNull(backup, "backup");
  }

  /** Settings without volumes or backups. */
  public FleetSettings(String name, String role, int count, NamePattern nodeName, Fleet.Rollout rollout,
      Optional<Duration> maxAge, Fleet.OnUnhealthy onUnhealthy, Duration quarantineRetention, Fleet.Logs logs,
      Fleet.Drift drift, Optional<Fleet.Expose> expose) {
    this(name, role, count, nodeName, rollout, maxAge, onUnhealthy, quarantineRetention, logs, drift, expose, List.of(),
        List.of(), Optional.empty());
  }

  /** Whether the fleet's nodes keep volumes: each is stopped before its successor starts. */
  public boolean stateful() {
    return !volumes.isEmpty();
  }

  /** Settings without a front door. */
  public FleetSettings(String name, String role, int count, NamePattern nodeName, Fleet.Rollout rollout,
      Optional<Duration> maxAge, Fleet.OnUnhealthy onUnhealthy, Duration quarantineRetention, Fleet.Logs logs,
      Fleet.Drift drift) {
    this(name, role, count, nodeName, rollout, maxAge, onUnhealthy, quarantineRetention, logs, drift, Optional.empty());
  }

  private static Fleet.Expose unlocated(Fleet.Expose e) {
    return new Fleet.Expose(e.port(), e.bind(), e.protocol(), e.drainTimeout(), e.maxConnections(), dev.herd.spec.Location.UNKNOWN,
        dev.herd.spec.Location.UNKNOWN);
  }

  /** Settings with herd's default drift policy (replace on every kind). */
  public FleetSettings(String name, String role, int count, NamePattern nodeName, Fleet.Rollout rollout,
      Optional<Duration> maxAge, Fleet.OnUnhealthy onUnhealthy, Duration quarantineRetention, Fleet.Logs logs) {
    this(name, role, count, nodeName, rollout, maxAge, onUnhealthy, quarantineRetention, logs, Fleet.Drift.DEFAULT);
  }

  public static FleetSettings of(Fleet f) {
    return new FleetSettings(f.name(), f.role(), f.count(), f.nodeName(), f.rollout(), f.maxAge(), f.onUnhealthy(),
        f.quarantineRetention(), f.logs(), f.drift(), f.expose(), f.dependsOn(), List.copyOf(f.volumes().values()), f.backup());
  }

  public FleetSettings withCount(int n) {
    return new FleetSettings(name, role, n, nodeName, rollout, maxAge, onUnhealthy, quarantineRetention, logs, drift, expose,
        dependsOn, volumes, backup);
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
      c.weight().ifPresent(w -> f.put("rollout.canary.weight", w + "%"));
      if (c.sticky()) {
        f.put("rollout.canary.sticky", "true");
      }
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
    f.put("drift.exposure", drift.exposure().keyword());
    expose.ifPresent(e -> {
      f.put("expose.port", Integer.toString(e.port()));
      f.put("expose.bind", e.bind());
      f.put("expose.protocol", e.protocol().keyword());
      f.put("expose.drain_timeout", Durations.format(e.drainTimeout()));
      if (e.maxConnections() > 0) {
        f.put("expose.max_connections", Integer.toString(e.maxConnections()));
      }
    });
    if (!dependsOn.isEmpty()) {
      f.put("depends_on", String.join(",", dependsOn));
    }
    volumes.forEach(v -> f.put("volume." + v.name(), v.path()));
    backup.ifPresent(b -> {
      for (int i = 0; i < b.command().size(); i++) {
        f.put("backup.command." + i, b.command().get(i));
      }
      for (int i = 0; i < b.restore().size(); i++) {
        f.put("backup.restore." + i, b.restore().get(i));
      }
      b.every().ifPresent(e -> f.put("backup.every", Durations.format(e)));
      f.put("backup.keep", Integer.toString(b.keep()));
    });
    return Codec.encode(f);
  }

  private static List<String> list(Map<String, String> f, String prefix) {
    List<String> out = new java.util.ArrayList<>();
    for (int i = 0; f.containsKey(prefix + i); i++) {
      out.add(f.get(prefix + i));
    }
    return out;
  }

  public static FleetSettings decode(String text) {
    Map<String, String> f = Codec.decode(text);
    Optional<Fleet.Canary> canary = Optional.ofNullable(f.get("rollout.canary.count"))
        .map(c -> new Fleet.Canary(Integer.parseInt(c), Durations.parse(f.get("rollout.canary.promote_after")),
            // settings stored before canary weights existed have none
            Optional.ofNullable(f.get("rollout.canary.weight")).map(w -> Amount.parse(w).value()),
            Boolean.parseBoolean(f.get("rollout.canary.sticky"))));
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
            driftAction(f, "drift.tamper"),
            // settings stored before exposure was a drift kind mean its default: report
            Fleet.DriftAction.valueOf(f.getOrDefault("drift.exposure", "report").toUpperCase())),
        // settings stored before front doors existed have none
        Optional.ofNullable(f.get("expose.port")).map(port -> new Fleet.Expose(Integer.parseInt(port), f.get("expose.bind"),
            Fleet.Protocol.valueOf(f.get("expose.protocol").toUpperCase()), Durations.parse(f.get("expose.drain_timeout")),
            // settings stored before max_connections existed have no limit
            Integer.parseInt(f.getOrDefault("expose.max_connections", "0")),
            dev.herd.spec.Location.UNKNOWN, dev.herd.spec.Location.UNKNOWN)),
        // settings stored before depends_on existed depend on nothing
        Optional.ofNullable(f.get("depends_on")).map(d -> List.of(d.split(","))).orElse(List.of()),
        // settings stored before volumes existed have none
        f.entrySet().stream().filter(e -> e.getKey().startsWith("volume."))
            .map(e -> new Fleet.Volume(e.getKey().substring("volume.".length()), e.getValue())).toList(),
        Optional.ofNullable(f.get("backup.keep")).map(keep -> new Fleet.Backup(list(f, "backup.command."),
            list(f, "backup.restore."), Optional.ofNullable(f.get("backup.every")).map(Durations::parse), Integer.parseInt(keep))));
  }

  private static Fleet.DriftAction driftAction(Map<String, String> f, String key) {
    return Fleet.DriftAction.valueOf(f.getOrDefault(key, "replace").toUpperCase());
  }
}
