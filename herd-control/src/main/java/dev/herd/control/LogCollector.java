package dev.herd.control;

import dev.herd.control.loop.Scheduler;
import dev.herd.control.state.FleetRecord;
import dev.herd.control.state.NodeLog;
import dev.herd.control.state.NodeRecord;
import dev.herd.control.state.Store;
import dev.herd.engine.Engine;
import dev.herd.engine.EngineException;
import dev.herd.engine.LogLine;
import dev.herd.engine.NodeRef;
import dev.herd.engine.Subscription;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The central log store's intake: follows each node's output on the engine, buffers lines and
 * writes them in batches (every second), and applies each fleet's {@code logs:} retention every
 * minute. Lines stay after the node is gone.
 */
final class LogCollector {
  static final Duration FLUSH_EVERY = Duration.ofSeconds(1);
  static final Duration PRUNE_EVERY = Duration.ofMinutes(1);
  private static final Logger log = LoggerFactory.getLogger(LogCollector.class);

  private final Engine engine;
  private final Store store;
  private final Scheduler scheduler;
  private final Clock clock;
  private final String project;
  private final Map<String, Subscription> follows = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<NodeLog> buffer = new ConcurrentLinkedQueue<>();
  private volatile boolean stopped;

  LogCollector(Engine engine, Store store, Scheduler scheduler, Clock clock, String project) {
    this.engine = engine;
    this.store = store;
    this.scheduler = scheduler;
    this.clock = clock;
    this.project = project;
  }

  void start(Supplier<List<FleetRecord>> fleets) {
    scheduler.schedule(FLUSH_EVERY, new Runnable() {
      @Override
      public void run() {
        if (!stopped) {
          flush();
          scheduler.schedule(FLUSH_EVERY, this);
        }
      }
    });
    scheduler.schedule(PRUNE_EVERY, new Runnable() {
      @Override
      public void run() {
        if (!stopped) {
          prune(fleets.get());
          scheduler.schedule(PRUNE_EVERY, this);
        }
      }
    });
  }

  boolean following(String engineName) {
    return follows.containsKey(engineName);
  }

  /** Follows a node's output from {@code since} (null: from its start). */
  void follow(NodeRecord n, Instant since) {
    if (stopped || follows.containsKey(n.engineName())) {
      return;
    }
    try {
      Subscription s = engine.followLogs(new NodeRef(project, n.engineName()), since,
          line -> buffer.add(new NodeLog(line.time() == null ? clock.instant() : line.time(), n.fleet(), n.slot(),
              n.generation(), line.stream() == LogLine.Stream.STDERR ? "stderr" : "stdout", line.text())));
      Subscription old = follows.put(n.engineName(), s);
      if (old != null) {
        old.close();
      }
    } catch (EngineException e) {
      log.debug("cannot follow logs of {}: {}", n.engineName(), e.getMessage());
    }
  }

  /** A line that does not come from a node's output (the front door's access log). */
  void add(NodeLog line) {
    if (!stopped) {
      buffer.add(line);
    }
  }

  void unfollow(String engineName) {
    Subscription s = follows.remove(engineName);
    if (s != null) {
      s.close();
    }
  }

  void flush() {
    List<NodeLog> lines = new ArrayList<>();
    NodeLog l;
    while ((l = buffer.poll()) != null) {
      lines.add(l);
    }
    if (!lines.isEmpty()) {
      store.appendLogs(lines);
    }
  }

  void prune(List<FleetRecord> fleets) {
    for (FleetRecord f : fleets) {
      var logs = f.settings().logs();
      Instant cutoff = logs.maxAge().isZero() ? Instant.EPOCH : clock.instant().minus(logs.maxAge());
      int dropped = store.pruneLogs(f.name(), cutoff, logs.maxSize().bytes());
      if (dropped > 0) {
        log.debug("fleet {}: dropped {} log lines past retention", f.name(), dropped);
      }
    }
  }

  void stop() {
    stopped = true;
    follows.values().forEach(Subscription::close);
    follows.clear();
    flush();
  }
}
