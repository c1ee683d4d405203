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
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * An engine through which the controller "dies" at its k-th changing call (ensure, start, stop,
 * remove): the call either never reaches the engine ({@link Mode#BEFORE}) or takes effect without
 * the controller learning it ({@link Mode#AFTER}); every later call fails, so the dead controller
 * touches nothing more.
 */
final class KillableEngine implements Engine {
  enum Mode { BEFORE, AFTER }

  static final class Killed extends RuntimeException {
    Killed() {
      super("controller killed (test)");
    }
  }

  private final Engine delegate;
  private final int killAt;
  private final Mode mode;
  private int calls;
  private volatile boolean killed;

  KillableEngine(Engine delegate, int killAt, Mode mode) {
    this.delegate = delegate;
    this.killAt = killAt;
    this.mode = mode;
  }

  boolean killed() {
    return killed;
  }

  int calls() {
    return calls;
  }

  private synchronized <T> T change(Supplier<T> call) {
    alive();
    if (++calls == killAt) {
      killed = true;
      if (mode == Mode.AFTER) {
        call.get();
      }
      throw new Killed();
    }
    return call.get();
  }

  private void alive() {
    if (killed) {
      throw new Killed();
    }
  }

  @Override public EngineInfo info() { alive(); return delegate.info(); }
  @Override public EnsuredImage ensureImage(ImageSource source) { return change(() -> delegate.ensureImage(source)); }
  @Override public NodeInfo startNode(NodeSpec spec, java.util.Map<String, java.nio.file.Path> restore) {
    return change(() -> delegate.startNode(spec, restore));
  }
  @Override public List<dev.herd.engine.VolumeInfo> listVolumes(String project) { alive(); return delegate.listVolumes(project); }
  @Override public boolean removeVolume(String project, String name) { return change(() -> delegate.removeVolume(project, name)); }
  @Override public void exportVolume(NodeRef node, String volume, java.io.OutputStream out) { alive(); delegate.exportVolume(node, volume, out); }
  @Override public void copyFileIn(NodeRef node, String path, java.nio.file.Path source, dev.herd.engine.NodeSpec.RunAs owner) {
    change(() -> {
      delegate.copyFileIn(node, path, source, owner);
      return null;
    });
  }
  @Override public dev.herd.engine.ExecResult exec(NodeRef node, List<String> command,
      java.io.OutputStream stdout) { return change(() -> delegate.exec(node, command, stdout)); }
  @Override public boolean stopNode(NodeRef node, Duration grace) { return change(() -> delegate.stopNode(node, grace)); }
  @Override public boolean removeNode(NodeRef node) { return change(() -> delegate.removeNode(node)); }
  @Override public boolean signal(NodeRef node, String signal) { return change(() -> delegate.signal(node, signal)); }
  @Override public List<NodeInfo> listNodes(String project) { alive(); return delegate.listNodes(project); }
  @Override public Optional<NodeInfo> inspectNode(NodeRef node) { alive(); return delegate.inspectNode(node); }
  @Override public List<dev.herd.engine.ForeignContainer> listForeign(java.util.Collection<String> prefixes,
      java.util.Collection<Integer> ports) { alive(); return delegate.listForeign(prefixes, ports); }
  @Override public List<FsChange> diff(NodeRef node) { alive(); return delegate.diff(node); }
  @Override public NodeStats stats(NodeRef node) { alive(); return delegate.stats(node); }
  @Override public List<dev.herd.engine.Listener> listeners(NodeRef node) { alive(); return delegate.listeners(node); }
  @Override public List<LogLine> logs(NodeRef node, Instant since) { alive(); return delegate.logs(node, since); }

  @Override
  public Subscription followLogs(NodeRef node, Instant since, Consumer<LogLine> sink) {
    alive();
    return delegate.followLogs(node, since, sink);
  }

  @Override
  public Subscription events(String project, Instant since, Consumer<EngineEvent> sink) {
    alive();
    return delegate.events(project, since, sink);
  }

  @Override public void close() {}
}
