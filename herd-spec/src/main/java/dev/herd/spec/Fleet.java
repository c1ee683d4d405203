package dev.herd.spec;

import java.time.Duration;
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
    Optional<Autoscale> autoscale) {

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
    }
  }

  /** Canary: {@code count} nodes of the new release first, promoted after {@code promoteAfter}. */
  public record Canary(int count, Duration promoteAfter) {
    public Canary {
      if (count < 1) {
        throw new IllegalArgumentException("canary count must be at least 1, got " + count);
      }
      requireNotNegative("promote_after", promoteAfter);
    }
  }

  /** Blue/green: a full new set, traffic switched, the old set removed after a while. */
  public record BlueGreen(Duration removeOldAfter) {
    public BlueGreen {
      requireNotNegative("remove_old_after", removeOldAfter);
    }
  }

  /** What herd does about each kind of drift it detects on a running node. */
  public record Drift(DriftAction image, DriftAction config, DriftAction filesystem, DriftAction tamper) {
    public static final Drift REPLACE_ALL =
        new Drift(DriftAction.REPLACE, DriftAction.REPLACE, DriftAction.REPLACE, DriftAction.REPLACE);

    public Drift {
      Objects.requireNonNull(image, "image");
      Objects.requireNonNull(config, "config");
      Objects.requireNonNull(filesystem, "filesystem");
      Objects.requireNonNull(tamper, "tamper");
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
  public record Expose(int port, String bind, Protocol protocol, Duration drainTimeout, Location portAt, Location bindAt) {
    public static final String DEFAULT_BIND = "127.0.0.1";

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
    CANARY;

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
