package dev.herd.engine.docker;

import dev.herd.engine.EngineEvent;
import dev.herd.engine.NodeInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns rises of the OOM kill counter of the project's running nodes ({@link CgroupOom}) into
 * {@link EngineEvent.OutOfMemory} events, one per kill. A node started after the watch began
 * counts from zero; for one already running, the first reading is the baseline (kills before the
 * watch began are not replayed). The engine's own {@code oom} events
 * for a node watched this way are dropped ({@link #duplicate}), so a kill is reported once.
 */
final class OomPoller implements AutoCloseable {
  static final Duration INTERVAL = Duration.ofSeconds(2);
  private static final Logger log = LoggerFactory.getLogger(OomPoller.class);

  private record Watched(NodeInfo node, Path counter, long kills) {}

  private final Supplier<Iterable<NodeInfo>> runningNodes;
  private final Function<String, OptionalLong> pidOf;
  private final CgroupOom cgroups;
  private final Consumer<EngineEvent> sink;
  private final Map<String, Watched> watched = new ConcurrentHashMap<>();
  private final Set<String> unwatchable = ConcurrentHashMap.newKeySet();
  private final Instant began = Instant.now();
  private volatile boolean closed;
  private Thread thread;

  OomPoller(Supplier<Iterable<NodeInfo>> runningNodes, Function<String, OptionalLong> pidOf, CgroupOom cgroups,
      Consumer<EngineEvent> sink) {
    this.runningNodes = runningNodes;
    this.pidOf = pidOf;
    this.cgroups = cgroups;
    this.sink = sink;
  }

  OomPoller start() {
    thread = Thread.ofVirtual().name("herd-oom-poller").start(() -> {
      while (!closed) {
        try {
          poll();
        } catch (RuntimeException e) { // engine unreachable, a container gone between list and inspect
          log.debug("OOM counters not read this round: {}", e.toString());
        }
        try {
          Thread.sleep(INTERVAL);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    return this;
  }

  /** One round: new nodes get a baseline, watched ones report kills since the last round. */
  void poll() {
    Set<String> seen = new HashSet<>();
    for (NodeInfo n : runningNodes.get()) {
      if (!n.running()) {
        continue;
      }
      seen.add(n.id());
      Watched w = watched.get(n.id());
      if (w == null) {
        if (!unwatchable.contains(n.id())) {
          begin(n);
        }
        continue;
      }
      OptionalLong now = CgroupOom.read(w.counter());
      if (now.isPresent() && now.getAsLong() > w.kills()) {
        Instant at = Instant.now();
        for (long k = w.kills(); k < now.getAsLong(); k++) {
          sink.accept(new EngineEvent.OutOfMemory(at, n.ref(), n.id()));
        }
        watched.put(n.id(), new Watched(n, w.counter(), now.getAsLong()));
      }
    }
    watched.keySet().retainAll(seen);
    unwatchable.retainAll(seen);
  }

  private void begin(NodeInfo n) {
    OptionalLong pid = pidOf.apply(n.id());
    Optional<Path> counter = pid.isPresent() && pid.getAsLong() > 0 ? cgroups.counterFile(pid.getAsLong()) : Optional.empty();
    OptionalLong kills = counter.map(CgroupOom::read).orElse(OptionalLong.empty());
    if (counter.isEmpty() || kills.isEmpty()) {
      unwatchable.add(n.id());
      log.debug("no readable memory cgroup for {}; only the engine's oom events report its OOM kills", n.name());
      return;
    }
    boolean startedSince = n.startedAt() != null && n.startedAt().isAfter(began);
    watched.put(n.id(), new Watched(n, counter.get(), startedSince ? 0 : kills.getAsLong()));
  }

  /** True for an engine {@code oom} event of a node whose kills this poller reports. */
  boolean duplicate(EngineEvent e) {
    return e instanceof EngineEvent.OutOfMemory && watched.containsKey(e.containerId());
  }

  @Override
  public void close() {
    closed = true;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }
}
