package dev.herd.control.drift;

import dev.herd.control.state.NodePhase;
import dev.herd.control.state.NodeRecord;
import dev.herd.control.state.Release;
import dev.herd.engine.Engine;
import dev.herd.engine.EngineEvent;
import dev.herd.engine.EngineException;
import dev.herd.engine.FsChange;
import dev.herd.engine.Listener;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeSpec;
import dev.herd.engine.NodeState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds how a running node differs from its release. Pure comparison except for two inputs:
 * engine events (exec, pause, restart …) fed through {@link #onEngineEvent}, kept per container
 * until the container is removed, and {@code Engine#diff} for writable-root nodes, asked at
 * most once per {@code diffInterval} per node unless the node was touched since.
 *
 * <p>Thread-safe: engine events arrive on the engine's thread, passes run on the loop's.
 */
public final class DriftDetector {
  private static final Logger log = LoggerFactory.getLogger(DriftDetector.class);
  /** Engine actions on a container that herd itself never performs. */
  private static final Set<String> FOREIGN_ACTIONS = Set.of("attach", "commit", "copy", "export", "rename", "update",
      "checkpoint", "restore");
  /** A start time this much after the recorded one is a restart herd did not cause. */
  private static final Duration RESTART_SLACK = Duration.ofSeconds(2);
  private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private record Touch(Instant time, String what) {}

  private final Engine engine;
  private final Clock clock;
  private final Duration diffInterval;
  private final Map<String, List<Touch>> touches = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastDiff = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastListen = new ConcurrentHashMap<>();
  /** The non-loopback listeners each container was last seen with. */
  private final Map<String, List<Listener>> exposed = new ConcurrentHashMap<>();
  private final Set<String> checking = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.Executor listenChecks;
  private final java.util.function.Consumer<String> checked;
  /** herd's own execs and copies (backups, restores) by container name: from, and until once done. */
  private final Map<String, Instant[]> own = new ConcurrentHashMap<>();
  /** Events of herd's own action may be stamped a little before it began or arrive after it ended. */
  private static final Duration OWN_SLACK = Duration.ofSeconds(5);

  public DriftDetector(Engine engine, Clock clock, Duration diffInterval) {
    this(engine, clock, diffInterval, null, fleet -> { });
  }

  /**
   * @param listenChecks where the exposure check (an engine inspect and a walk of /proc per
   *     node) runs, so a reconcile pass never waits for it: its result is a finding from the
   *     next pass on; null runs it in the pass (herd drift, simulations)
   * @param checked told the fleet of a node whose listeners a background check found changed
   */
  public DriftDetector(Engine engine, Clock clock, Duration diffInterval, java.util.concurrent.Executor listenChecks,
      java.util.function.Consumer<String> checked) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.diffInterval = Objects.requireNonNull(diffInterval, "diffInterval");
    this.listenChecks = listenChecks;
    this.checked = Objects.requireNonNull(checked, "checked");
  }

  /**
   * herd itself runs a command in (or copies out of) the node until the returned handle is
   * closed: execs and copies of that window are herd's, not tamper.
   */
  public AutoCloseable ownAction(dev.herd.engine.NodeRef node) {
    Instant[] window = {clock.instant().minus(OWN_SLACK), Instant.MAX};
    own.put(node.containerName(), window);
    return () -> window[1] = clock.instant().plus(OWN_SLACK);
  }

  private boolean herds(EngineEvent e) {
    Instant[] w = own.get(e.node().containerName());
    if (w == null) {
      return false;
    }
    if (w[1] != Instant.MAX && clock.instant().isAfter(w[1].plus(OWN_SLACK))) {
      own.remove(e.node().containerName(), w);
    }
    return !e.time().isBefore(w[0]) && !e.time().isAfter(w[1]);
  }

  /** Remembers what was done to a node by hand; forgets a container once it is removed. */
  public void onEngineEvent(EngineEvent e) {
    if ((e instanceof EngineEvent.Exec || e instanceof EngineEvent.Other) && herds(e)) {
      return;
    }
    String what = switch (e) {
      case EngineEvent.Exec x -> x.command().isEmpty() ? "exec" : "exec \"" + abbreviate(x.command()) + "\"";
      case EngineEvent.Paused p -> "paused outside herd";
      case EngineEvent.Unpaused u -> "unpaused outside herd";
      case EngineEvent.Restarted r -> "restarted outside herd";
      case EngineEvent.Other o when FOREIGN_ACTIONS.contains(o.action()) -> o.action() + " outside herd";
      case EngineEvent.Removed r -> {
        touches.remove(r.containerId());
        lastDiff.remove(r.containerId());
        lastListen.remove(r.containerId());
        exposed.remove(r.containerId());
        yield null;
      }
      default -> null;
    };
    if (what != null && !e.containerId().isEmpty()) {
      List<Touch> list = touches.computeIfAbsent(e.containerId(), k -> new CopyOnWriteArrayList<>());
      Touch t = new Touch(e.time().truncatedTo(ChronoUnit.MILLIS), what);
      // engines replay events after a reconnect: keep each once
      if (!list.contains(t)) {
        list.add(t);
      }
    }
  }

  /** Forgets what was recorded about a container (it is gone). */
  public void forget(String containerId) {
    touches.remove(containerId);
    lastDiff.remove(containerId);
    lastListen.remove(containerId);
    exposed.remove(containerId);
  }

  /**
   * Every drift of one running node against its release, in kind order (image, config,
   * filesystem, tamper, exposure). The actions are {@link DriftFinding#NOT_ACTED_ON}; the caller decides.
   */
  public List<DriftFinding> inspect(NodeRecord row, NodeInfo node, Release release) {
    return inspect(row, node, release, List.of());
  }

  /**
   * Like {@link #inspect(NodeRecord, NodeInfo, Release)}; changes under {@code volumes} (the
   * fleet's declared volume paths) are state the spec declares, not filesystem drift.
   */
  public List<DriftFinding> inspect(NodeRecord row, NodeInfo node, Release release, List<String> volumes) {
    Instant now = clock.instant();
    List<DriftFinding> out = new ArrayList<>();
    String id = node.id();
    String released = release.spec().imageDigest();
    if (!node.imageDigest().isEmpty() && !node.imageDigest().equals(released)) {
      out.add(finding(now, row, DriftKind.IMAGE, "runs image " + shortDigest(node.imageDigest()) + ", release "
          + release.id() + " has " + shortDigest(released), id + ":image:" + node.imageDigest()));
    }
    if (!node.releaseId().isEmpty() && !node.releaseId().equals(row.releaseId())) {
      out.add(finding(now, row, DriftKind.CONFIG, "labelled release " + node.releaseId() + ", herd started it on "
          + row.releaseId(), id + ":config:release:" + node.releaseId()));
    }
    for (Map.Entry<String, String> want : new java.util.TreeMap<>(release.spec().runtime().env()).entrySet()) {
      String have = node.env().get(want.getKey());
      if (!want.getValue().equals(have)) {
        // names the key, never the value: config may be sensitive and events are widely read
        String detail = "config key " + want.getKey() + (have == null ? " missing" : " differs") + " (release "
            + release.id() + ", config revision " + release.spec().configRevision() + ")";
        out.add(finding(now, row, DriftKind.CONFIG, detail, id + ":config:" + want.getKey() + ":" + sha(String.valueOf(have))));
      }
    }
    List<Touch> touched = touches.getOrDefault(id, List.of());
    if (!release.spec().runtime().readOnlyRoot()) {
      filesystem(row, node, release, volumes, now, touched).ifPresent(out::add);
    }
    boolean restartSeen = false;
    for (Touch t : touched) {
      restartSeen |= t.what().startsWith("restarted");
      out.add(finding(now, row, DriftKind.TAMPER, t.what() + " at " + HMS.format(t.time()),
          id + ":tamper:" + t.time().toEpochMilli() + ":" + t.what()));
    }
    if (node.state() == NodeState.PAUSED && touched.stream().noneMatch(t -> t.what().startsWith("paused"))) {
      out.add(finding(now, row, DriftKind.TAMPER, "paused outside herd", id + ":tamper:paused"));
    }
    if (!restartSeen && row.startedAt() != null && node.startedAt() != null
        && node.startedAt().isAfter(row.startedAt().plus(RESTART_SLACK))) {
      Instant at = node.startedAt().truncatedTo(ChronoUnit.MILLIS);
      out.add(finding(now, row, DriftKind.TAMPER, "restarted outside herd at " + HMS.format(at),
          id + ":tamper:start:" + at.toEpochMilli()));
    }
    exposure(row, node, now).ifPresent(out::add);
    return out;
  }

  /**
   * Listeners not on loopback, as last checked. Checked while the node starts (it may not have
   * bound yet), once after it became healthy, then at most once per {@code diffInterval}: it
   * reads /proc. With an executor the check runs there and this pass reports what the last one found.
   */
  private java.util.Optional<DriftFinding> exposure(NodeRecord row, NodeInfo node, Instant now) {
    Instant last = lastListen.get(node.id());
    boolean healthySince = row.phase() == NodePhase.HEALTHY && row.healthySince() != null && last != null
        && last.isBefore(row.healthySince());
    if (last == null || row.phase() == NodePhase.STARTING || healthySince || !now.isBefore(last.plus(diffInterval))) {
      lastListen.put(node.id(), now);
      if (listenChecks == null) {
        checkListeners(row, node);
      } else if (checking.add(node.id())) {
        listenChecks.execute(() -> {
          try {
            if (checkListeners(row, node)) {
              checked.accept(row.fleet());
            }
          } finally {
            checking.remove(node.id());
          }
        });
      }
    }
    List<Listener> open = exposed.getOrDefault(node.id(), List.of());
    if (open.isEmpty()) {
      return java.util.Optional.empty();
    }
    String shown = String.join(", ", open.stream().map(Listener::toString).toList());
    return java.util.Optional.of(finding(now, row, DriftKind.EXPOSURE, "listens on " + shown
        + ", reachable from other hosts (nodes bind ${HOST}, " + NodeSpec.HOST + "; traffic comes through the front door)",
        node.id() + ":exposure:" + sha(shown)));
  }

  /** Reads the node's listeners; true when what is exposed changed. */
  private boolean checkListeners(NodeRecord row, NodeInfo node) {
    List<Listener> open;
    try {
      open = engine.listeners(node.ref()).stream().filter(l -> !l.loopback()).toList();
    } catch (EngineException e) {
      // a remote engine (this host cannot see the node's sockets) or a node gone meanwhile: nothing to say
      return false;
    } catch (RuntimeException e) {
      // the engine went away under the call (its service restarts); the next check reads again
      log.debug("listeners of {}: {}", node.ref(), e.toString(), e);
      return false;
    }
    List<Listener> before = open.isEmpty() ? exposed.remove(node.id()) : exposed.put(node.id(), open);
    return !open.equals(before == null ? List.of() : before);
  }

  private java.util.Optional<DriftFinding> filesystem(NodeRecord row, NodeInfo node, Release release, List<String> volumes,
      Instant now, List<Touch> touched) {
    Instant last = lastDiff.get(node.id());
    boolean touchedSince = touched.stream().anyMatch(t -> last == null || !t.time().isBefore(last));
    if (last != null && !touchedSince && now.isBefore(last.plus(diffInterval))) {
      return java.util.Optional.empty();
    }
    lastDiff.put(node.id(), now);
    List<String> writable = new ArrayList<>(release.spec().runtime().writable());
    writable.addAll(volumes);
    List<String> outside = new ArrayList<>();
    for (FsChange c : engine.diff(node.ref())) {
      if (writable.stream().noneMatch(w -> c.path().equals(w) || c.path().startsWith(w.endsWith("/") ? w : w + "/"))) {
        outside.add(c.kind().name().charAt(0) + " " + c.path());
      }
    }
    if (outside.isEmpty()) {
      return java.util.Optional.empty();
    }
    outside.sort(null);
    String shown = String.join(", ", outside.subList(0, Math.min(3, outside.size())))
        + (outside.size() > 3 ? " and " + (outside.size() - 3) + " more" : "");
    String detail = outside.size() + " change" + (outside.size() == 1 ? "" : "s") + " outside the writable paths: " + shown;
    return java.util.Optional.of(finding(now, row, DriftKind.FILESYSTEM, detail,
        node.id() + ":filesystem:" + sha(String.join("\n", outside))));
  }

  private static DriftFinding finding(Instant now, NodeRecord row, DriftKind kind, String detail, String key) {
    return new DriftFinding(now, row.fleet(), row.slot(), row.engineName(), kind, detail, DriftFinding.NOT_ACTED_ON, key);
  }

  static String shortDigest(String digest) {
    return digest.startsWith("sha256:") && digest.length() >= 19 ? digest.substring(7, 19) : digest;
  }

  private static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() <= 80 ? one : one.substring(0, 77) + "...";
  }

  private static String sha(String s) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
