package dev.herd.server.metrics;

import dev.herd.engine.Engine;
import dev.herd.engine.EngineEvent;
import dev.herd.engine.EngineInfo;
import dev.herd.engine.EnsuredImage;
import dev.herd.engine.ForeignContainer;
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
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * An engine whose calls are timed for {@link HerdMetrics}, labelled by operation (a fixed word per
 * method) and outcome; the arguments never become labels.
 */
final class TimedEngine implements Engine {
  private final Engine delegate;
  private final HerdMetrics metrics;

  TimedEngine(Engine delegate, HerdMetrics metrics) {
    this.delegate = delegate;
    this.metrics = metrics;
  }

  private <T> T timed(String operation, Supplier<T> call) {
    long start = System.nanoTime();
    boolean ok = false;
    try {
      T result = call.get();
      ok = true;
      return result;
    } finally {
      metrics.engineCall(operation, Duration.ofNanos(System.nanoTime() - start), ok);
    }
  }

  @Override
  public EngineInfo info() {
    return timed("info", delegate::info);
  }

  @Override
  public EnsuredImage ensureImage(ImageSource source) {
    return timed("ensure_image", () -> delegate.ensureImage(source));
  }

  @Override
  public NodeInfo startNode(NodeSpec spec, java.util.Map<String, java.nio.file.Path> restore) {
    return timed("start_node", () -> delegate.startNode(spec, restore));
  }

  @Override
  public List<dev.herd.engine.VolumeInfo> listVolumes(String project) {
    return timed("list_volumes", () -> delegate.listVolumes(project));
  }

  @Override
  public boolean removeVolume(String project, String name) {
    return timed("remove_volume", () -> delegate.removeVolume(project, name));
  }

  @Override
  public void exportVolume(NodeRef node, String volume, java.io.OutputStream out) {
    timed("export_volume", () -> {
      delegate.exportVolume(node, volume, out);
      return null;
    });
  }

  @Override
  public void copyFileIn(NodeRef node, String path, java.nio.file.Path source, dev.herd.engine.NodeSpec.RunAs owner) {
    timed("copy_file_in", () -> {
      delegate.copyFileIn(node, path, source, owner);
      return null;
    });
  }

  @Override
  public dev.herd.engine.ExecResult exec(NodeRef node, List<String> command, java.io.OutputStream stdout) {
    return timed("exec", () -> delegate.exec(node, command, stdout));
  }

  @Override
  public boolean stopNode(NodeRef node, Duration grace) {
    return timed("stop_node", () -> delegate.stopNode(node, grace));
  }

  @Override
  public boolean signal(NodeRef node, String signal) {
    return timed("signal", () -> delegate.signal(node, signal));
  }

  @Override
  public boolean removeNode(NodeRef node) {
    return timed("remove_node", () -> delegate.removeNode(node));
  }

  @Override
  public List<NodeInfo> listNodes(String project) {
    return timed("list_nodes", () -> delegate.listNodes(project));
  }

  @Override
  public List<NodeInfo> listNodes(String project, String fleet) {
    return timed("list_nodes", () -> delegate.listNodes(project, fleet));
  }

  @Override
  public List<ForeignContainer> listForeign(Collection<String> namePrefixes, Collection<Integer> hostPorts) {
    return timed("list_foreign", () -> delegate.listForeign(namePrefixes, hostPorts));
  }

  @Override
  public Optional<NodeInfo> inspectNode(NodeRef node) {
    return timed("inspect_node", () -> delegate.inspectNode(node));
  }

  @Override
  public dev.herd.engine.EngineCapabilities capabilities() {
    return delegate.capabilities();
  }

  @Override
  public boolean setInService(NodeRef node, boolean inService) {
    return timed("set_in_service", () -> delegate.setInService(node, inService));
  }

  @Override
  public Optional<Boolean> ready(NodeRef node) {
    return timed("ready", () -> delegate.ready(node));
  }

  @Override
  public List<FsChange> diff(NodeRef node) {
    return timed("diff", () -> delegate.diff(node));
  }

  @Override
  public java.util.List<dev.herd.engine.Listener> listeners(NodeRef node) {
    return timed("listeners", () -> delegate.listeners(node));
  }

  @Override
  public NodeStats stats(NodeRef node) {
    return timed("stats", () -> delegate.stats(node));
  }

  @Override
  public List<LogLine> logs(NodeRef node, Instant since) {
    return timed("logs", () -> delegate.logs(node, since));
  }

  @Override
  public Subscription followLogs(NodeRef node, Instant since, Consumer<LogLine> sink) {
    return timed("follow_logs", () -> delegate.followLogs(node, since, sink));
  }

  @Override
  public Subscription events(String project, Instant since, Consumer<EngineEvent> sink) {
    return timed("events", () -> delegate.events(project, since, sink));
  }

  @Override
  public void close() {
    delegate.close();
  }
}
