package dev.herd.spec;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A set of identical, disposable nodes running one role's image in one environment.
 *
 * @param image which of the role's images to run
 * @param nodeName how nodes are named ({@code web-{n}})
 * @param limits the effective limits: the fleet's own, each unset one taken from the role's
 * @param maxAge nodes older than this are replaced (empty: no age limit)
 * @param autoscale load-driven count between min and max (empty: the count is fixed)
 * @param dependsOn fleets whose nodes must all be healthy before this fleet starts from no node
 *     (a database before the web tier); the spec refuses unknown fleets and cycles
 * @param volumes named volumes each node keeps across generations, by volume name
 * @param backup how and how often the fleet's state is backed up (empty: only by hand, and only
 *     with volumes)
 */
public record Fleet(
    String name,
    String role,
    String environment,
    ImageRef image,
    int count,
    NamePattern nodeName,
    boolean readOnlyRoot,
    Limits limits,
    Rollout rollout,
    Optional<Duration> maxAge,
    OnUnhealthy onUnhealthy,
    Duration quarantineRetention,
    OnConfigChange onConfigChange,
    Drift drift,
    Logs logs,
    Optional<Expose> expose,
    Location location,
    Optional<Autoscale> autoscale,
    List<String> dependsOn,
    Map<String, Volume> volumes,
    Optional<Backup> backup) {

  public static final int MAX_COUNT = NamePattern.MAX_NODES;
  public static final Duration MIN_MAX_AGE = Duration.ofMinutes(1);

  public Fleet {
    Names.requireName("fleet", name);
    Names.requireName("role", role);
    Names.requireName("environment", environment);
    Objects.requireNonNull(image, "image");
    if (count < 0 || count > MAX_COUNT) {
      throw new IllegalArgumentException("count must be between 0 and " + MAX_COUNT + ", got " + count);
    }
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(rollout, "rollout");
    Objects.requireNonNull(maxAge, "maxAge");
    maxAge.ifPresent(
        a -> {
          if (a.compareTo(MIN_MAX_AGE) < 0) {
            throw new IllegalArgumentException("max_age must be at least 1m, got " + Durations.format(a));
          }
        });
    Objects.requireNonNull(onUnhealthy, "onUnhealthy");
    requireNotNegative("quarantine_retention", quarantineRetention);
    Objects.requireNonNull(onConfigChange, "onConfigChange");
    Objects.requireNonNull(drift, "drift");
    Objects.requireNonNull(logs, "logs");
    Objects.requireNonNull(expose, "expose");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(autoscale, "autoscale");
    dependsOn = List.copyOf(dependsOn);
    if (new HashSet<>(dependsOn).size() != dependsOn.size()) {
      throw new IllegalArgumentException("depends_on names a fleet twice: " + dependsOn);
    }
    for (String d : dependsOn) {
      Names.requireName("fleet", d);
      if (d.equals(name)) {
        throw new IllegalArgumentException("fleet " + name + " cannot depend on itself");
      }
    }
    volumes = Immutable.map(volumes);
    volumes.forEach((k, v) -> {
      if (!k.equals(v.name())) {
        throw new IllegalArgumentException("volume " + v.name() + " is filed under " + k);
      }
    });
    Objects.requireNonNull(backup, "backup");
    if (!volumes.isEmpty() && rollout.strategy() != Strategy.RECREATE) {
      throw new IllegalArgumentException("a fleet with volumes replaces its nodes with strategy recreate, not " + rollout.strategy().keyword());
    }
    if (backup.isPresent() && backup.get().command().isEmpty() && volumes.isEmpty()) {
      throw new IllegalArgumentException("backup needs a command or a volume to export");
    }
  }

  /** Whether nodes keep state across generations (so a node is stopped before its successor starts). */
  public boolean stateful() {
    return !volumes.isEmpty();
  }

  /**
   * The engine's name of a node's volume: {@code <project>-<fleet>-<node>-<volume>}. The same
   * join is in herd-engine ({@code Volumes.engineName}); the spec refuses two fleets whose
   * volumes it could give one name.
   */
  public static String volumeName(String project, String fleet, String node, String volume) {
    return project + "-" + fleet + "-" + node + "-" + volume;
  }

  /**
   * A named volume mounted read-write at {@code path} in each node; node {@code db-1}'s volume
   * {@code data} is its own across generations.
   */
  public record Volume(String name, String path) {
    public Volume {
      Names.requireName("volume", name);
      if (path == null || !path.startsWith("/") || path.equals("/") || !java.nio.file.Path.of(path).normalize().toString().equals(path)) {
        throw new IllegalArgumentException("volume path must be an absolute, normalized path other than /, got " + path);
      }
    }

    /** True when the two paths are the same or one holds the other. */
    public static boolean overlap(String a, String b) {
      return a.equals(b) || a.startsWith(b.endsWith("/") ? b : b + "/") || b.startsWith(a.endsWith("/") ? a : a + "/");
    }
  }

  /**
   * How the fleet's state is backed up.
   *
   * @param command run in the node, its stdout is the archive; empty: a tar of the node's volumes
   * @param restore run in the node with the archive on stdin; needed with {@code command}
   * @param every how often the running controller takes one (empty: only by hand)
   * @param keep how many backups of the fleet are kept (older ones are deleted)
   */
  public record Backup(List<String> command, List<String> restore, Optional<Duration> every, int keep) {
    public static final Duration MIN_EVERY = Duration.ofMinutes(1);

    public Backup {
      command = List.copyOf(command);
      restore = List.copyOf(restore);
      Objects.requireNonNull(every, "every");
      every.ifPresent(e -> {
        if (e.compareTo(MIN_EVERY) < 0) {
          throw new IllegalArgumentException("every must be at least 1m, got " + Durations.format(e));
        }
      });
      if (keep < 1) {
        throw new IllegalArgumentException("keep must be at least 1, got " + keep);
      }
      if (!command.isEmpty() && restore.isEmpty()) {
        throw new IllegalArgumentException("a backup command needs a restore command (it reads the archive on stdin)");
      }
      if (command.isEmpty() && !restore.isEmpty()) {
        throw new IllegalArgumentException("a restore command goes with a backup command");
      }
    }
  }

  /** The name of node {@code n} (1-based), e.g. {@code web-3}. */
  public String nodeName(int n) {
    return nodeName.name(n);
  }

  /** How a new release replaces the fleet's nodes. */
  public record Rollout(
      Strategy strategy,
      Amount maxSurge,
      Amount maxUnavailable,
      Duration minHealthyTime,
      Duration progressDeadline,
      boolean autoRollback,
      Optional<Canary> canary,
      Optional<BlueGreen> blueGreen) {
    public Rollout {
      Objects.requireNonNull(strategy, "strategy");
      Objects.requireNonNull(maxSurge, "maxSurge");
      Objects.requireNonNull(maxUnavailable, "maxUnavailable");
      if (maxSurge.isZero() && maxUnavailable.isZero()) {
        throw new IllegalArgumentException("max_surge and max_unavailable may not both be 0 (the rollout could never progress)");
      }
      requireNotNegative("min_healthy_time", minHealthyTime);
      requireNotNegative("progress_deadline", progressDeadline);
      Objects.requireNonNull(canary, "canary");
      Objects.requireNonNull(blueGreen, "blueGreen");
      if (canary.isPresent() != (strategy == Strategy.CANARY)) {
        throw new IllegalArgumentException("canary settings go with strategy canary and only with it");
      }
      if (blueGreen.isPresent() != (strategy == Strategy.BLUE_GREEN)) {
        throw new IllegalArgumentException("blue_green settings go with strategy blue_green and only with it");
      }
      if (strategy == Strategy.RECREATE && (!maxSurge.isZero() || !maxUnavailable.equals(Amount.nodes(1)))) {
        throw new IllegalArgumentException("strategy recreate replaces one node at a time with no surge (max_surge 0, max_unavailable 1)");
      }
    }
  }

  /**
   * Canary: {@code count} nodes of the new release first, promoted after {@code promoteAfter}.
   *
   * @param weight the share of the front door's requests the canary nodes get, in percent
   *     (1-99); empty: each node an even share
   * @param sticky a cookie keeps each client of the front door on the side it first landed on
   */
  public record Canary(int count, Duration promoteAfter, Optional<Integer> weight, boolean sticky) {
    public Canary {
      if (count < 1) {
        throw new IllegalArgumentException("canary count must be at least 1, got " + count);
      }
      requireNotNegative("promote_after", promoteAfter);
      Objects.requireNonNull(weight, "weight");
      weight.ifPresent(w -> {
        if (w < 1 || w > 99) {
          throw new IllegalArgumentException("canary weight must be between 1% and 99%, got " + w + "%");
        }
      });
    }

    public Canary(int count, Duration promoteAfter) {
      this(count, promoteAfter, Optional.empty(), false);
    }
  }

  /** Blue/green: a full new set, traffic switched, the old set removed after a while. */
  public record BlueGreen(Duration removeOldAfter) {
    public BlueGreen {
      requireNotNegative("remove_old_after", removeOldAfter);
    }
  }

  /**
   * What herd does about each kind of drift it detects on a running node.
   *
   * @param exposure a node listening on a non-loopback address (default report: the node may be
   *     right to, but the operator should know)
   */
  public record Drift(DriftAction image, DriftAction config, DriftAction filesystem, DriftAction tamper,
      DriftAction exposure) {
    /** The defaults: replace on every kind but exposure, which is reported. */
    public static final Drift DEFAULT =
        new Drift(DriftAction.REPLACE, DriftAction.REPLACE, DriftAction.REPLACE, DriftAction.REPLACE, DriftAction.REPORT);

    public Drift {
      Objects.requireNonNull(image, "image");
      Objects.requireNonNull(config, "config");
      Objects.requireNonNull(filesystem, "filesystem");
      Objects.requireNonNull(tamper, "tamper");
      Objects.requireNonNull(exposure, "exposure");
    }
  }

  /** How long and how much of each node's logs herd keeps. */
  public record Logs(Duration maxAge, Size maxSize) {
    public Logs {
      requireNotNegative("max_age", maxAge);
      Objects.requireNonNull(maxSize, "maxSize");
    }
  }

  /**
   * The fleet's front door: one stable address ({@code bind:port}) in front of its nodes.
   *
   * @param bind an IP address literal (never a host name: resolving it could change the address)
   * @param portAt where {@code port} is written (host checks report there)
   * @param bindAt where {@code bind} is written, or the expose key when it is the default
   */
  /**
   * A fleet's front door.
   *
   * @param maxConnections the most connections the door opens to one node at a time (more
   *     requests wait in the door's queue for a free node); 0 for no limit
   */
  public record Expose(int port, String bind, Protocol protocol, Duration drainTimeout, int maxConnections, Location portAt,
      Location bindAt) {
    public static final String DEFAULT_BIND = "127.0.0.1";
    /** The largest {@code max_connections}. */
    public static final int MAX_CONNECTIONS = 100_000;

    public Expose {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
      }
      Objects.requireNonNull(bind, "bind");
      if (!IpLiteral.isValid(bind)) {
        throw new IllegalArgumentException("bind must be an IP address like 127.0.0.1, got " + Texts.quote(bind));
      }
      Objects.requireNonNull(protocol, "protocol");
      requireNotNegative("drain_timeout", drainTimeout);
      if (maxConnections < 0 || maxConnections > MAX_CONNECTIONS) {
        throw new IllegalArgumentException("max_connections must be between 1 and " + MAX_CONNECTIONS + ", got " + maxConnections);
      }
      Objects.requireNonNull(portAt, "portAt");
      Objects.requireNonNull(bindAt, "bindAt");
    }

    /** The address clients use, e.g. {@code 127.0.0.1:8080} ({@code [::1]:8080} for IPv6). */
    public String address() {
      return (bind.contains(":") ? "[" + bind + "]" : bind) + ":" + port;
    }

    /** True when this and {@code other} cannot both listen (same port on overlapping addresses). */
    public boolean clashesWith(Expose other) {
      return port == other.port && (bind.equals(other.bind) || IpLiteral.isWildcard(bind) || IpLiteral.isWildcard(other.bind));
    }
  }

  public enum Protocol implements Keyword {
    HTTP,
    TCP;

    @Override
    public String keyword() {
      return name().toLowerCase();
    }
  }

  public enum Strategy implements Keyword {
    ROLLING,
    BLUE_GREEN,
    CANARY,
    /** Stop a node, then start its successor (on the same volumes); one node at a time, no surge. */
    RECREATE;

    @Override
    public String keyword() {
      return name().toLowerCase();
    }
  }

  public enum OnUnhealthy implements Keyword {
    REPLACE,
    QUARANTINE;

    @Override
    public String keyword() {
      return name().toLowerCase();
    }
  }

  public enum OnConfigChange implements Keyword {
    ROLLING,
    RELOAD,
    NONE;

    @Override
    public String keyword() {
      return name().toLowerCase();
    }
  }

  public enum DriftAction implements Keyword {
    REPLACE,
    REPORT,
    QUARANTINE;

    @Override
    public String keyword() {
      return name().toLowerCase();
    }
  }

  static void requireNotNegative(String what, Duration d) {
    Objects.requireNonNull(d, what);
    if (d.isNegative()) {
      throw new IllegalArgumentException(what + " must not be negative");
    }
  }
}
