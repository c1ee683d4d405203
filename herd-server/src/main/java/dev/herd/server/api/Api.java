package dev.herd.server.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The REST API's bodies (see docs/api.md). Deliberately separate from the controller's records:
 * this is the contract with clients, and it carries nothing that must not leave the controller
 * (no env, no config values, no secrets).
 */
public final class Api {
  private Api() {}

  /** Every 4xx/5xx body. */
  public record Error(String error, List<String> details) {
    public Error {
      Objects.requireNonNull(error, "error");
      details = details == null ? List.of() : List.copyOf(details);
    }

    public Error(String error) {
      this(error, List.of());
    }
  }

  /** {@code GET /v1/status}. */
  /**
   * @param immutability per fleet: the immutability score's summary ("immutable (100/100)", or
   *     what lost points: nodes off the current release, age vs max_age, drift, writable paths)
   * @param autoscale per autoscaled fleet: its range and target, the last CPU measured and the
   *     last decision ("2..6 nodes at cpu 60%; cpu 90% 3s ago; cpu 90% > target 60%, waiting for 30s")
   */
  public record Status(String project, Instant time, List<FleetView> fleets, java.util.Map<String, String> immutability,
      java.util.Map<String, String> autoscale) {
    public Status {
      fleets = List.copyOf(fleets);
      immutability = immutability == null ? java.util.Map.of() : java.util.Map.copyOf(immutability);
      autoscale = autoscale == null ? java.util.Map.of() : java.util.Map.copyOf(autoscale);
    }

    public Status(String project, Instant time, List<FleetView> fleets, java.util.Map<String, String> immutability) {
      this(project, time, fleets, immutability, null);
    }

    public Status(String project, Instant time, List<FleetView> fleets) {
      this(project, time, fleets, java.util.Map.of());
    }
  }

  /**
   * @param count the count in force; {@code specCount} is herd.yaml's, they differ after a scale
   * @param healthy nodes passing their health check
   * @param rollout the rollout in progress, or null
   * @param address the fleet's front door ({@code http://127.0.0.1:8080}), or null when not exposed
   */
  public record FleetView(
      String name,
      String role,
      int count,
      int specCount,
      String release,
      String lastGoodRelease,
      long healthy,
      boolean deleted,
      RolloutView rollout,
      List<NodeView> nodes,
      String address,
      ConsistencyView consistency,
      TrafficView traffic) {
    public FleetView {
      nodes = List.copyOf(nodes);
    }

    public FleetView(String name, String role, int count, int specCount, String release, String lastGoodRelease, long healthy,
        boolean deleted, RolloutView rollout, List<NodeView> nodes, String address) {
      this(name, role, count, specCount, release, lastGoodRelease, healthy, deleted, rollout, nodes, address, null, null);
    }

    public FleetView withConsistency(ConsistencyView c) {
      return new FleetView(name, role, count, specCount, release, lastGoodRelease, healthy, deleted, rollout, nodes, address, c,
          traffic);
    }
  }

  /**
   * How current a fleet's images are (null when no node runs a catalog image).
   *
   * @param oldestImage the oldest image a live node runs ({@code web:3})
   * @param latestImage the role's newest non-revoked version
   * @param versionsBehind non-revoked versions newer than the oldest image
   * @param baseAgeDays days since the oldest image's base was refreshed; null for a scratch base
   * @param summary {@code oldest image web:3, 2 versions behind web:5, base refreshed 41 days ago}
   */
  public record ConsistencyView(String oldestImage, String latestImage, int versionsBehind, Long baseAgeDays,
      int imagesInService, String summary) {}

  /**
   * What an exposed fleet's front door measured (null in {@link FleetView} before it measured).
   * Counters are HAProxy's since it started or reloaded; {@code avgResponseMs}/{@code avgTotalMs}
   * are its averages of the last 1024 requests; p50/p99 come from the access log of the last
   * {@code windowSeconds} (null without requests in it).
   *
   * @param summary the one line herd status prints
   */
  public record TrafficView(Double requestsPerSecond, long requests, long responses1xx, long responses2xx,
      long responses3xx, long responses4xx, long responses5xx, long connectionErrors, long responseErrors, long retries,
      long avgResponseMs, long avgTotalMs, Long p50Ms, Long p99Ms, long windowRequests, long windowFailed,
      long windowSeconds, String summary) {}

  /**
   * @param state creating, starting, healthy, unhealthy, dead, removing or quarantined
   * @param ageSeconds since the node was created
   */
  public record NodeView(
      String name,
      long generation,
      String release,
      int port,
      String state,
      boolean inService,
      long ageSeconds,
      Instant createdAt,
      Instant healthySince,
      String reason) {}

  /**
   * @param updated live nodes already on {@code to}
   * @param ready of those, the healthy ones
   */
  public record RolloutView(
      String from,
      String to,
      String strategy,
      String state,
      boolean rollback,
      Instant startedAt,
      int updated,
      int ready,
      int target,
      String reason) {}

  /** One controller event; {@code id} increases, resume a stream after the last one seen. */
  public record EventView(long id, Instant time, String fleet, String node, String kind, String reason) {}

  public record Events(List<EventView> events) {
    public Events {
      events = List.copyOf(events);
    }
  }

  public record LogLine(Instant time, String fleet, String node, long generation, String stream, String text) {}

  public record Logs(List<LogLine> lines) {
    public Logs {
      lines = List.copyOf(lines);
    }
  }

  /** {@code POST /v1/apply} and {@code GET /v1/plan}: one entry per fleet. */
  public record Changes(boolean applied, boolean changed, List<Change> fleets) {
    public Changes {
      fleets = List.copyOf(fleets);
    }
  }

  /** @param kind created, released, updated, unchanged or deleted */
  public record Change(String fleet, String kind, String release, String previousRelease, List<String> details) {
    public Change {
      details = List.copyOf(details);
    }
  }

  public record Scale(Integer count) {}

  /** {@code POST /v1/images/revoke}: {@code force} revokes an image some fleet has no replacement for (it holds). */
  public record Revoke(String image, String reason, Boolean force) {}

  /** What a revocation did: per fleet that ran the image, its replacement (null: it holds) and the event. */
  public record Revoked(String image, List<RevokedFleet> fleets) {
    public Revoked {
      fleets = List.copyOf(fleets);
    }
  }

  public record RevokedFleet(String fleet, String replacement, String event) {}

  /** What an operator action did, in words. */
  public record Done(String fleet, String message) {}

  /**
   * {@code POST /v1/bake}: roles to bake (none: every role) from the controller's herd.yaml.
   *
   * @param spec the herd.yaml the client means; refused (409) when it is not the controller's
   * @param user the client's user; refused when the controller runs as another
   * @param environment the client's values of {@code BakeEnvironment} variables that are set;
   *     refused when one differs from the controller's (the bake would not be the client's)
   */
  public record BakeRequest(List<String> roles, Boolean locked, String spec, String user, Map<String, String> environment) {}

  /**
   * {@code POST /v1/audit}: a directory tree (on the controller's host) against a role of the
   * controller's herd.yaml, as {@code herd audit ROLE --root DIR}.
   *
   * @param spec the herd.yaml the client means; refused (409) when it is not the controller's
   * @param user the client's user; refused when the controller runs as another
   * @param environment the client's {@code SOURCE_DATE_EPOCH}, if set; refused when it differs
   *     from the controller's (templates render with it)
   */
  public record AuditRequest(String role, String root, String spec, String user, Map<String, String> environment) {}

  /** What an audit found: one line per difference, as {@code herd audit} prints them, and its summary. */
  public record Audited(String role, boolean matches, List<String> differences, String summary) {}

  /** What a bake made: one image per role, as {@code herd bake} prints it ({@code line}). */
  public record Baked(List<BakedImage> images) {}

  public record BakedImage(String role, String image, String digest, String line) {}

  /** {@code POST /v1/ui/login}: a dashboard URL holding a one-time login code, and when it stops working. */
  public record DashboardLogin(String url, Instant expiresAt) {}

  /** {@code GET /v1/fleets/{fleet}/endpoints}: healthy, in-service nodes. */
  public record Endpoints(String fleet, List<Endpoint> endpoints) {
    public Endpoints {
      endpoints = List.copyOf(endpoints);
    }
  }

  public record Endpoint(String node, String address) {}

  /** {@code POST /v1/fleets/{fleet}/backups}: {@code node} (a slot like db-1) or null for the first healthy node. */
  public record BackupRequest(String node) {}

  /** One stored backup: its files by name with their sha256. */
  public record Backup(String id, String fleet, String node, String kind, Instant created, long tookMillis, long bytes,
      java.util.Map<String, String> files) {}

  /** {@code GET /v1/backups[?fleet=F]}: newest first. */
  public record Backups(List<Backup> backups) {}

  /** {@code POST /v1/fleets/{fleet}/restore}: {@code node} null for the node the backup was taken of. */
  public record Restore(String backup, String node) {}

  /**
   * What a restore did: {@code restarting} when the node's next generation comes up on the
   * restored volumes (a volume backup), false when backup.restore already ran in the running node.
   */
  public record Restoring(String fleet, String node, String backup, boolean restarting, String message) {}
}
