package dev.herd.control;

import dev.herd.engine.Engine;
import dev.herd.engine.EngineEvent;
import dev.herd.engine.EngineInfo;
import dev.herd.engine.EnsuredImage;
import dev.herd.engine.FsChange;
import dev.herd.engine.ImageSource;
import dev.herd.engine.LogLine;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeRef;
import dev.herd.engine.NodeSpec;
import dev.herd.engine.NodeStats;
import dev.herd.engine.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An engine whose starts wait at a gate while it is closed (a slow engine, on demand), and which
 * counts how many starts are in flight at once.
 */
final class GatedEngine implements Engine {
  private final Engine delegate;
  private final Object gate = new Object();
  private boolean open = true;
  private boolean removalsOpen = true;
  final AtomicInteger removalsWaiting = new AtomicInteger();
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();

  GatedEngine(Engine delegate) {
    this.delegate = delegate;
  }

  void close(boolean closed) {
    synchronized (gate) {
      open = !closed;
      gate.notifyAll();
    }
  }

  void closeRemovals(boolean closed) {
    synchronized (gate) {
      removalsOpen = !closed;
      gate.notifyAll();
    }
  }

  @Override
  public boolean removeNode(NodeRef node) {
    removalsWaiting.incrementAndGet();
    try {
      synchronized (gate) {
        while (!removalsOpen) {
          try {
            gate.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        }
      }
      return delegate.removeNode(node);
    } finally {
      removalsWaiting.decrementAndGet();
    }
  }

  @Override
  public NodeInfo startNode(NodeSpec spec, java.util.Map<String, java.nio.file.Path> restore) {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    try {
      synchronized (gate) {
        while (!open) {
          try {
            gate.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        }
      }
      return delegate.startNode(spec, restore);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  @Override public EngineInfo info() { return delegate.info(); }
  @Override public List<dev.herd.engine.VolumeInfo> listVolumes(String project) { return delegate.listVolumes(project); }
  @Override public boolean removeVolume(String project, String name) { return delegate.removeVolume(project, name); }
  @Override public void exportVolume(NodeRef node, String volume, java.io.OutputStream out) { delegate.exportVolume(node, volume, out); }
  @Override public void copyFileIn(NodeRef node, String path, java.nio.file.Path source, dev.herd.engine.NodeSpec.RunAs owner) {
    delegate.copyFileIn(node, path, source, owner);
  }
  @Override public dev.herd.engine.ExecResult exec(NodeRef node, List<String> command,
      java.io.OutputStream stdout) { return delegate.exec(node, command, stdout); }
  @Override public EnsuredImage ensureImage(ImageSource source) { return delegate.ensureImage(source); }
  @Override public boolean stopNode(NodeRef node, Duration grace) { return delegate.stopNode(node, grace); }
  @Override public boolean signal(NodeRef node, String signal) { return delegate.signal(node, signal); }
  @Override public List<NodeInfo> listNodes(String project) { return delegate.listNodes(project); }
  @Override public List<NodeInfo> listNodes(String project, String fleet) { return delegate.listNodes(project, fleet); }
  @Override public Optional<NodeInfo> inspectNode(NodeRef node) { return delegate.inspectNode(node); }
  @Override public List<dev.herd.engine.ForeignContainer> listForeign(java.util.Collection<String> prefixes,
      java.util.Collection<Integer> ports) { return delegate.listForeign(prefixes, ports); }
  @Override public List<FsChange> diff(NodeRef node) { return delegate.diff(node); }
  @Override public NodeStats stats(NodeRef node) { return delegate.stats(node); }
  @Override public List<dev.herd.engine.Listener> listeners(NodeRef node) { return delegate.listeners(node); }
  @Override public List<LogLine> logs(NodeRef node, Instant since) { return delegate.logs(node, since); }
  @Override public Subscription followLogs(NodeRef node, Instant since, Consumer<LogLine> sink) {
    return delegate.followLogs(node, since, sink);
  }
  @Override public Subscription events(String project, Instant since, Consumer<EngineEvent> sink) {
    return delegate.events(project, since, sink);
  }
  @Override public void close() {}
}
