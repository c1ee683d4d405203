package dev.herd.engine.fake;

import dev.herd.engine.Engine;
import dev.herd.engine.EngineEvent;
import dev.herd.engine.EngineCapabilities;
import dev.herd.engine.EngineInfo;
import dev.herd.engine.EngineUnreachable;
import dev.herd.engine.EnsuredImage;
import dev.herd.engine.EngineFailure;
import dev.herd.engine.ForeignContainer;
import dev.herd.engine.FsChange;
import dev.herd.engine.ImageMissing;
import dev.herd.engine.ImageSource;
import dev.herd.engine.Labels;
import dev.herd.engine.Listener;
import dev.herd.engine.LogLine;
import dev.herd.engine.NameConflict;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeRef;
import dev.herd.engine.NodeSpec;
import dev.herd.engine.NodeState;
import dev.herd.engine.NodeStats;
import dev.herd.engine.PortInUse;
import dev.herd.engine.Subscription;
import dev.herd.engine.ExecResult;
import dev.herd.engine.VolumeInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * An in-memory engine that honours the {@link Engine} contract, for fast controller tests and
 * large simulated fleets. Deterministic: time is a {@link ManualClock}; nothing happens on its
 * own between calls. Timed behaviour (crash after N seconds, slow readiness, stop grace) is
 * applied when the clock is advanced ({@link #advance}) or on the next call.
 *
 * <p>Faults are set per node name (they apply to every generation with that name until
 * cleared): start failure, crash with an exit code, slow readiness, failing health, a process
 * that ignores SIGTERM, and the whole engine being unreachable.
 *
 * <p>The fake serves no network traffic; health probers ask {@link #healthy(NodeRef)} (or use
 * {@link #healthProbe()}) instead of sending HTTP.
 *
 * <p>A read-only root has scratch tmpfs at /run, /tmp and /var/tmp, as on Podman and (added by
 * herd) on Docker. The fake claims Podman's capabilities unless {@link #behaveAs} or
 * {@link #loadsOnly} says otherwise.
 */
public final class FakeEngine implements Engine {
  /** What a fake node's process does; set per node name. */
  public record Behaviour(
      String startFailure,
      Duration crashAfter,
      int crashExitCode,
      Duration readyAfter,
      boolean healthFails,
      boolean ignoresTerm,
      int exitCodeOnTerm,
      List<String> startupLog) {
    public static final Behaviour DEFAULT =
        new Behaviour(null, null, 0, Duration.ZERO, false, false, 0, List.of());

    public Behaviour {
      startupLog = List.copyOf(startupLog);
    }
  }

  /** Memory the fake reports for a running node. */
  public static final long RUNNING_MEMORY_BYTES = 8L << 20;

  private final ManualClock clock;
  private final Map<String, Behaviour> behaviours = new HashMap<>();
  private final Map<String, Container> containersByName = new LinkedHashMap<>();
  /** The container last started on each host port: a start checks its port without a scan of every container. */
  private final Map<Integer, Container> lastOnPort = new java.util.HashMap<>();
  private final Map<String, Double> fleetCores = new HashMap<>();
  /** Containers by their herd.fleet label, so a fleet's list costs its own nodes (as an engine's label filter does). */
  private final Map<String, Map<String, Container>> containersByFleet = new HashMap<>();
  private final Set<String> images = new HashSet<>();
  private final Set<Integer> hostPorts = new HashSet<>();
  private final List<EngineEvent> history = new ArrayList<>();
  private final List<EventSub> eventSubs = new CopyOnWriteArrayList<>();
  private final List<LogSub> logSubs = new CopyOnWriteArrayList<>();
  private volatile boolean available = true;
  private volatile EngineCapabilities capabilities = EngineCapabilities.of("Podman Engine", "1.41"); // until told otherwise
  private long nextId = 1;
  private long transfers;
  /** Named volumes by engine name: labels and files (path relative to the volume → content). */
  private final Map<String, FakeVolume> volumes = new java.util.TreeMap<>();
  private final Map<String, ExecProgram> programs = new HashMap<>();
  private long mostOnOneVolume;

  /** The most containers (in any state) that ever had one volume mounted at once, counted at each start. */
  public synchronized long mostContainersOnOneVolume() {
    return mostOnOneVolume;
  }

  /** What a command run in a fake node does (by its first word); see {@link #program}. */
  @FunctionalInterface
  public interface ExecProgram {
    /** Runs with the node's volumes (volume name → files) and stdout; returns the exit code. */
    int run(Map<String, Map<String, byte[]>> volumes, OutputStream stdout) throws IOException;
  }

  /** A program that also sees its argv and the files herd copied into the node (it may remove them). */
  @FunctionalInterface
  public interface ArgvProgram {
    int run(List<String> argv, Map<String, ScratchFile> scratch, Map<String, Map<String, byte[]>> volumes, OutputStream stdout)
        throws IOException;
  }

  private final Map<String, ArgvProgram> argvPrograms = new HashMap<>();

  /** What a command run in a fake node does when it needs its arguments (e.g. a shell). */
  public synchronized void programArgv(String command, ArgvProgram program) {
    argvPrograms.put(command, program);
  }

  private record FakeVolume(Map<String, String> labels, Map<String, byte[]> files) {}

  public FakeEngine(ManualClock clock) {
    this.clock = clock;
  }

  public FakeEngine() {
    this(new ManualClock());
  }

  public ManualClock clock() {
    return clock;
  }

  // ---- fault injection and simulation ----------------------------------------------------

  public synchronized void behave(String node, Behaviour b) {
    behaviours.put(node, b);
  }

  public synchronized Behaviour behaviour(String node) {
    return behaviours.getOrDefault(node, Behaviour.DEFAULT);
  }

  public void failStart(String node, String engineMessage) {
    update(node, b -> new Behaviour(engineMessage, b.crashAfter(), b.crashExitCode(), b.readyAfter(),
        b.healthFails(), b.ignoresTerm(), b.exitCodeOnTerm(), b.startupLog()));
  }

  public void crashAfter(String node, Duration after, int exitCode) {
    update(node, b -> new Behaviour(b.startFailure(), after, exitCode, b.readyAfter(),
        b.healthFails(), b.ignoresTerm(), b.exitCodeOnTerm(), b.startupLog()));
  }

  /** The node runs at once but reports healthy only {@code after} its start. */
  public void slowStart(String node, Duration after) {
    update(node, b -> new Behaviour(b.startFailure(), b.crashAfter(), b.crashExitCode(), after,
        b.healthFails(), b.ignoresTerm(), b.exitCodeOnTerm(), b.startupLog()));
  }

  public void failHealth(String node, boolean fails) {
    update(node, b -> new Behaviour(b.startFailure(), b.crashAfter(), b.crashExitCode(), b.readyAfter(),
        fails, b.ignoresTerm(), b.exitCodeOnTerm(), b.startupLog()));
  }

  /** The process ignores SIGTERM: stop waits the whole grace period, then kills (exit 137). */
  public void ignoreTerm(String node) {
    update(node, b -> new Behaviour(b.startFailure(), b.crashAfter(), b.crashExitCode(), b.readyAfter(),
        b.healthFails(), true, b.exitCodeOnTerm(), b.startupLog()));
  }

  public void logOnStart(String node, String... lines) {
    update(node, b -> new Behaviour(b.startFailure(), b.crashAfter(), b.crashExitCode(), b.readyAfter(),
        b.healthFails(), b.ignoresTerm(), b.exitCodeOnTerm(), List.of(lines)));
  }

  public synchronized void clearFaults(String node) {
    behaviours.remove(node);
  }

  private synchronized void update(String node, java.util.function.UnaryOperator<Behaviour> f) {
    behaviours.put(node, f.apply(behaviour(node)));
  }

  /**
   * The fake loads only these archive formats (as Docker before 25 loads only docker-archive):
   * ensuring an image offered in none of them fails like the real engine's refusal.
   */
  public void loadsOnly(ImageSource.Format... formats) {
    EngineCapabilities c = capabilities;
    capabilities = new EngineCapabilities(List.of(formats), c.execEvents(), c.durableEvents(), c.tmpfsOnReadOnlyRoot());
  }

  /** The fake claims what this engine product and API version give (e.g. "Docker Engine", "1.41"). */
  public void behaveAs(String product, String apiVersion) {
    capabilities = EngineCapabilities.of(product, apiVersion);
  }

  /** While false, every call fails with {@link EngineUnreachable}. */
  public void setAvailable(boolean available) {
    this.available = available;
  }

  /** Marks a host port as taken by something outside herd. */
  public synchronized void occupyPort(int port) {
    hostPorts.add(port);
  }

  /** Moves time forward and applies what became due (crashes, readiness). */
  public synchronized void advance(Duration d) {
    clock.advance(d);
    settle();
  }

  /** Creates a container herd did not create (any labels, possibly none); never started. */
  public synchronized void addForeignContainer(String name, Map<String, String> labels) {
    addForeignContainer(name, labels, List.of());
  }

  /** A container herd did not create that publishes {@code ports} on the host. */
  public synchronized void addForeignContainer(String name, Map<String, String> labels, List<Integer> ports) {
    if (containersByName.containsKey(name)) {
      throw new IllegalStateException("container " + name + " exists");
    }
    Container c = new Container(newId(), name, null, Map.copyOf(labels));
    c.publishedPorts.addAll(ports);
    put(c);
  }

  public synchronized boolean containerExists(String name) {
    return containersByName.containsKey(name);
  }

  public synchronized int containerCount() {
    return containersByName.size();
  }

  /** How many archives were written into the fake (0 after ensureImage of a known digest). */
  public synchronized long transfers() {
    return transfers;
  }

  /** Someone ran a process in the node (podman exec): emits an Exec event. */
  public synchronized void execByHand(NodeRef ref) {
    execByHand(ref, "");
  }

  /** Someone ran {@code command} in the node (docker exec): an Exec event that names it. */
  public synchronized void execByHand(NodeRef ref, String command) {
    Container c = herdContainer(ref).orElseThrow(() -> new IllegalStateException("no node " + ref));
    if (c.state != NodeState.RUNNING) {
      throw new IllegalStateException("node " + ref + " is not running");
    }
    emit(new EngineEvent.Exec(clock.instant(), ref, c.id, command));
  }

  /** Someone restarted the node outside herd (podman restart): new start time, Restarted event. */
  public synchronized void restartByHand(NodeRef ref) {
    Container c = herdContainer(ref).orElseThrow(() -> new IllegalStateException("no node " + ref));
    if (c.state == NodeState.RUNNING) {
      exit(c, 0);
    }
    c.state = NodeState.RUNNING;
    c.exitCode = null;
    c.finishedAt = null;
    c.startedAt = clock.instant();
    emit(new EngineEvent.Started(clock.instant(), ref, c.id));
    emit(new EngineEvent.Restarted(clock.instant(), ref, c.id));
  }

  /** Someone paused the node outside herd (podman pause). */
  public synchronized void pauseByHand(NodeRef ref) {
    Container c = herdContainer(ref).orElseThrow(() -> new IllegalStateException("no node " + ref));
    c.state = NodeState.PAUSED;
    emit(new EngineEvent.Paused(clock.instant(), ref, c.id));
  }

  /**
   * Someone wrote a file in the node by hand. Returns false when the write would fail
   * (read-only root outside the writable paths). Writes to writable paths land on tmpfs and
   * are not filesystem changes against the image, as on the real engine.
   */
  public synchronized boolean writeByHand(NodeRef ref, String path) {
    execByHand(ref);
    Container c = herdContainer(ref).orElseThrow();
    for (NodeSpec.Volume v : c.spec.volumes()) {
      if (path.startsWith(v.path() + "/")) {
        volumes.get(c.spec.volumeName(v)).files().put(path.substring(v.path().length() + 1),
            "touched\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return true;
      }
    }
    // a read-only root also has scratch tmpfs at /run, /tmp and /var/tmp, on every engine
    List<String> tmpfs = new ArrayList<>(c.spec.writablePaths());
    if (c.spec.readOnlyRoot()) {
      tmpfs.addAll(List.of("/run", "/tmp", "/var/tmp"));
    }
    boolean onTmpfs = tmpfs.stream().anyMatch(w -> path.startsWith(w + "/") && !path.startsWith(NodeSpec.SECRETS_MOUNT + "/"));
    if (onTmpfs) {
      return true;
    }
    if (c.spec.readOnlyRoot() || path.startsWith(NodeSpec.CONFIG_MOUNT + "/")
        || path.startsWith(NodeSpec.SECRETS_MOUNT + "/")) {
      return false;
    }
    c.changes.add(new FsChange(path, FsChange.Kind.ADDED));
    return true;
  }

  /**
   * The kernel OOM-kills a process in the node's memory cgroup (say a writer filling a tmpfs up to
   * the memory limit). The main process survives, so the node keeps running; only the event tells.
   */
  public synchronized void oomKill(NodeRef ref) {
    Container c = require(ref);
    if (c.state != NodeState.RUNNING) {
      throw new IllegalStateException(ref + " is not running");
    }
    emit(new EngineEvent.OutOfMemory(clock.instant(), c.spec.ref(), c.id));
  }

  /** The node writes a line to stdout. */
  public synchronized void emitLog(NodeRef ref, String text) {
    Container c = herdContainer(ref).orElseThrow(() -> new IllegalStateException("no node " + ref));
    log(c, text);
  }

  /** The files of a named volume (path in the volume → content), or empty when there is no such volume. */
  public synchronized Optional<Map<String, byte[]>> volumeFiles(String name) {
    return Optional.ofNullable(volumes.get(name)).map(v -> Map.copyOf(v.files()));
  }

  /** What the node would read at {@code path}, when it is on one of its volumes. */
  public synchronized Optional<byte[]> readVolumeFile(NodeRef ref, String path) {
    Container c = require(ref);
    for (NodeSpec.Volume v : c.spec.volumes()) {
      if (path.startsWith(v.path() + "/")) {
        return Optional.ofNullable(volumes.get(c.spec.volumeName(v)).files().get(path.substring(v.path().length() + 1)));
      }
    }
    return Optional.empty();
  }

  /** A volume herd did not create (no labels). */
  public synchronized void addForeignVolume(String name) {
    volumes.put(name, new FakeVolume(Map.of(), new java.util.TreeMap<>()));
  }

  /** Makes {@code command} (its first word) run {@code program} in any fake node. */
  public synchronized void program(String command, ExecProgram program) {
    programs.put(command, program);
  }

  /** What the node would read at /run/secrets/name, if the node exists and has that secret. */
  public synchronized Optional<byte[]> secretFile(NodeRef ref, String name) {
    return herdContainer(ref).map(c -> c.spec.secret(name));
  }

  /**
   * What a process of user {@code uid} in the node reads at /run/secrets/name: the files belong
   * to the node's user (0400), so only that user, or root, reads them.
   */
  public synchronized Optional<byte[]> secretFileAs(NodeRef ref, String name, int uid) {
    return herdContainer(ref).filter(c -> uid == 0 || uid == c.spec.runAs().uid()).map(c -> c.spec.secret(name));
  }

  /** True while the node's secrets "directory" exists (from create until remove). */
  public synchronized boolean secretsDirExists(NodeRef ref) {
    return herdContainer(ref).isPresent();
  }

  /** Health as an HTTP prober would see it: running, past its readiness delay, not failing. */
  public synchronized boolean healthy(NodeRef ref) {
    settle();
    Optional<Container> c = herdContainer(ref);
    if (c.isEmpty() || c.get().state != NodeState.RUNNING) {
      return false;
    }
    Behaviour b = behaviour(ref.node());
    return !b.healthFails() && !clock.instant().isBefore(c.get().startedAt.plus(b.readyAfter()));
  }

  public Predicate<NodeInfo> healthProbe() {
    return n -> healthy(n.ref());
  }

  // ---- Engine ---------------------------------------------------------------------------

  @Override
  public EngineInfo info() {
    check();
    return new EngineInfo("fake", "fake", "1", "1.41", "none", "none", capabilities);
  }

  @Override
  public synchronized EnsuredImage ensureImage(ImageSource source) {
    check();
    boolean transfer = !images.contains(source.digest());
    if (transfer) {
      EngineInfo info = info();
      ImageSource.Format format = info.capabilities().formatFor(source).orElseThrow(() -> new EngineFailure(
          "fake engine loads only " + info.capabilities().loads() + "; image " + source.shortDigest()
              + " is offered as " + source.formats()));
      try (OutputStream sink = OutputStream.nullOutputStream()) {
        source.writer(format).writeTo(sink);
      } catch (IOException e) {
        throw new EngineFailure("could not read image " + source.shortDigest() + ": " + e.getMessage(), 0, e);
      }
      images.add(source.digest());
      transfers++;
    }
    return new EnsuredImage(source.digest(), EnsuredImage.refFor(source.digest()), transfer);
  }

  @Override
  public synchronized NodeInfo startNode(NodeSpec spec, Map<String, java.nio.file.Path> restore) {
    check();
    settle();
    String name = spec.ref().containerName();
    Container existing = containersByName.get(name);
    if (existing != null) {
      throw new NameConflict(name, !Labels.isHerdNode(existing.labels, spec.project()));
    }
    if (!images.contains(spec.imageDigest())) {
      throw new ImageMissing(spec.imageDigest(), null);
    }
    if (portTaken(spec.port())) {
      throw new PortInUse(spec.port(), null);
    }
    Behaviour b = behaviour(spec.node());
    if (b.startFailure() != null) {
      throw new EngineFailure("could not start " + name + ": " + b.startFailure());
    }
    for (NodeSpec.Volume v : spec.volumes()) {
      String vn = spec.volumeName(v);
      Map<String, String> labels = VolumeInfo.labels(spec.project(), spec.fleet(), v.owner(), v.name());
      FakeVolume have = volumes.get(vn);
      if (have != null && !have.labels().equals(labels)) {
        throw new EngineFailure("volume " + vn + " exists and is not node " + v.owner() + "'s " + v.name(), 409, null);
      }
    }
    for (NodeSpec.Volume v : spec.volumes()) {
      FakeVolume vol = volumes.computeIfAbsent(spec.volumeName(v),
          k -> new FakeVolume(VolumeInfo.labels(spec.project(), spec.fleet(), v.owner(), v.name()), new java.util.TreeMap<>()));
      java.nio.file.Path archive = restore.get(v.name());
      if (archive != null) {
        vol.files().putAll(FakeTar.read(archive));
      }
    }
    for (NodeSpec.Volume v : spec.volumes()) {
      String vn = spec.volumeName(v);
      long sharers = 1 + containersByName.values().stream()
          .filter(o -> o.spec != null && o.spec.volumes().stream().anyMatch(x -> o.spec.volumeName(x).equals(vn))).count();
      mostOnOneVolume = Math.max(mostOnOneVolume, sharers);
    }
    Container c = new Container(newId(), name, spec, spec.labels());
    put(c);
    lastOnPort.put(spec.port(), c);
    emit(new EngineEvent.Created(clock.instant(), spec.ref(), c.id));
    c.state = NodeState.RUNNING;
    c.startedAt = clock.instant();
    emit(new EngineEvent.Started(clock.instant(), spec.ref(), c.id));
    for (String line : b.startupLog()) {
      log(c, line);
    }
    return info(c);
  }

  @Override
  public synchronized boolean stopNode(NodeRef ref, Duration grace) {
    check();
    settle();
    Optional<Container> found = herdContainer(ref);
    if (found.isEmpty()) {
      return false;
    }
    Container c = found.get();
    if (c.state == NodeState.RUNNING) {
      Behaviour b = behaviour(ref.node());
      if (b.ignoresTerm()) {
        // stop blocks for the grace period on a real engine; here the time just passes
        clock.advance(grace);
        exit(c, 137);
      } else {
        exit(c, b.exitCodeOnTerm());
      }
    }
    return true;
  }

  /**
   * A running node gets the signal: TERM ends it as a stop would (exit code on TERM, or ignored),
   * KILL ends it with 137, any other signal is only recorded (see {@link #signals}).
   */
  @Override
  public synchronized boolean signal(NodeRef ref, String signal) {
    check();
    settle();
    dev.herd.engine.Signals.check(signal);
    Optional<Container> found = herdContainer(ref);
    if (found.isEmpty() || found.get().state != NodeState.RUNNING) {
      return false;
    }
    Container c = found.get();
    c.signals.add(signal);
    Behaviour b = behaviour(ref.node());
    if (signal.equals("KILL")) {
      exit(c, 137);
    } else if (signal.equals("TERM") && !b.ignoresTerm()) {
      exit(c, b.exitCodeOnTerm());
    }
    return true;
  }

  /** The signals a node received through {@link #signal}, oldest first (empty for an unknown node). */
  public synchronized List<String> signals(NodeRef ref) {
    return herdContainer(ref).map(c -> List.copyOf(c.signals)).orElse(List.of());
  }

  /** The spec a node was started with (what the engine was asked to run), if herd has that node. */
  public synchronized Optional<NodeSpec> specOf(NodeRef ref) {
    return herdContainer(ref).map(c -> c.spec);
  }

  @Override
  public synchronized boolean removeNode(NodeRef ref) {
    check();
    settle();
    Optional<Container> found = herdContainer(ref);
    if (found.isEmpty()) {
      return false;
    }
    Container c = found.get();
    if (c.state == NodeState.RUNNING) {
      exit(c, 137);
    }
    containersByName.remove(c.name);
    String fleet = c.labels.get(Labels.FLEET);
    if (fleet != null) {
      containersByFleet.getOrDefault(fleet, new HashMap<>()).remove(c.name);
    }
    emit(new EngineEvent.Removed(clock.instant(), ref, c.id));
    return true;
  }

  @Override
  public synchronized List<VolumeInfo> listVolumes(String project) {
    check();
    List<VolumeInfo> out = new ArrayList<>();
    volumes.forEach((name, v) -> VolumeInfo.fromLabels(name, project, v.labels()).ifPresent(out::add));
    return out;
  }

  @Override
  public synchronized boolean removeVolume(String project, String name) {
    check();
    FakeVolume v = volumes.get(name);
    if (v == null || VolumeInfo.fromLabels(name, project, v.labels()).isEmpty()) {
      return false;
    }
    boolean used = containersByName.values().stream()
        .anyMatch(c -> c.spec != null && c.spec.volumes().stream().anyMatch(x -> c.spec.volumeName(x).equals(name)));
    if (used) {
      throw new EngineFailure("volume " + name + " is in use by a container", 409, null);
    }
    volumes.remove(name);
    return true;
  }

  @Override
  public synchronized void exportVolume(NodeRef ref, String volume, OutputStream out) {
    check();
    Container c = require(ref);
    NodeSpec.Volume v = c.spec.volumes().stream().filter(x -> x.name().equals(volume)).findFirst()
        .orElseThrow(() -> new EngineFailure("node " + ref + " has no volume " + volume, 404, null));
    try {
      FakeTar.write(volumes.get(c.spec.volumeName(v)).files(), out);
    } catch (IOException e) {
      throw new EngineFailure("could not write the export of " + volume + ": " + e.getMessage(), 0, e);
    }
  }

  /** A file herd copied into a node's scratch directory: content, mode, owner. */
  public record ScratchFile(byte[] content, int mode, NodeSpec.RunAs owner) {}

  @Override
  public synchronized void copyFileIn(NodeRef ref, String path, java.nio.file.Path source, NodeSpec.RunAs owner) {
    check();
    settle();
    Container c = require(ref);
    if (c.state != NodeState.RUNNING) {
      throw new EngineFailure("node " + ref + " is not running", 409, null);
    }
    boolean scratch = c.spec.writablePaths().stream().anyMatch(w -> path.startsWith(w.endsWith("/") ? w : w + "/"))
        || path.startsWith("/tmp/") || path.startsWith("/run/") || path.startsWith("/var/tmp/");
    if (!scratch && c.spec.readOnlyRoot()) {
      throw new EngineFailure("node " + ref + ": " + path + " is on the read-only root", 500, null);
    }
    try {
      c.scratch.put(path, new ScratchFile(java.nio.file.Files.readAllBytes(source), 0600, owner));
    } catch (IOException e) {
      throw new EngineFailure("cannot read " + source + ": " + e.getMessage(), 0, e);
    }
  }

  /** The files herd copied into the node and not removed yet (path → file); live, programs may remove them. */
  public synchronized Map<String, ScratchFile> scratchFiles(NodeRef ref) {
    return require(ref).scratch;
  }

  @Override
  public ExecResult exec(NodeRef ref, List<String> command, OutputStream stdout) {
    ExecProgram program;
    Map<String, Map<String, byte[]>> files = new HashMap<>();
    synchronized (this) {
      check();
      settle();
      Container c = require(ref);
      if (c.state != NodeState.RUNNING) {
        throw new EngineFailure("node " + ref + " is not running", 409, null);
      }
      emit(new EngineEvent.Exec(clock.instant(), ref, c.id, String.join(" ", command)));
      program = programs.get(command.get(0));
      ArgvProgram withArgs = argvPrograms.get(command.get(0));
      if (withArgs != null) {
        Map<String, ScratchFile> scratch = c.scratch;
        program = (vols, out) -> withArgs.run(List.copyOf(command), scratch, vols, out);
      }
      for (NodeSpec.Volume v : c.spec.volumes()) {
        files.put(v.name(), volumes.get(c.spec.volumeName(v)).files());
      }
    }
    if (command.get(0).equals("fail")) {
      return new ExecResult(3, "oops\n"); // what the contract's failing command does
    }
    if (program == null) {
      return new ExecResult(127, command.get(0) + ": not found");
    }
    try {
      synchronized (this) {
        return new ExecResult(program.run(files, stdout), "");
      }
    } catch (IOException e) {
      throw new EngineFailure("exec in " + ref + " failed: " + e.getMessage(), 0, e);
    }
  }

  @Override
  public synchronized List<NodeInfo> listNodes(String project) {
    check();
    settle();
    return containersByName.values().stream()
        .filter(c -> Labels.isHerdNode(c.labels, project))
        .map(this::info)
        .sorted(Comparator.comparing(NodeInfo::name))
        .toList();
  }

  @Override
  public synchronized List<NodeInfo> listNodes(String project, String fleet) {
    check();
    settle();
    return containersByFleet.getOrDefault(fleet, Map.of()).values().stream()
        .filter(c -> Labels.isHerdNode(c.labels, project))
        .map(this::info)
        .sorted(Comparator.comparing(NodeInfo::name))
        .toList();
  }

  private void put(Container c) {
    containersByName.put(c.name, c);
    String fleet = c.labels.get(Labels.FLEET);
    if (fleet != null) {
      containersByFleet.computeIfAbsent(fleet, k -> new LinkedHashMap<>()).put(c.name, c);
    }
  }

  @Override
  public synchronized List<ForeignContainer> listForeign(java.util.Collection<String> namePrefixes,
      java.util.Collection<Integer> hostPorts) {
    check();
    return containersByName.values().stream()
        .filter(c -> !("true".equals(c.labels.get(Labels.MANAGED)) && c.labels.get(Labels.PROJECT) != null))
        .filter(c -> namePrefixes.stream().anyMatch(c.name::startsWith) || c.publishedPorts.stream().anyMatch(hostPorts::contains))
        .map(c -> new ForeignContainer(c.id, c.name, "", c.state.name().toLowerCase(), c.publishedPorts))
        .sorted(Comparator.comparing(ForeignContainer::name))
        .toList();
  }

  @Override
  public synchronized Optional<NodeInfo> inspectNode(NodeRef ref) {
    check();
    settle();
    return herdContainer(ref).map(this::info);
  }

  @Override
  public synchronized List<FsChange> diff(NodeRef ref) {
    check();
    return List.copyOf(require(ref).changes);
  }

  /**
   * The node's process also listens on {@code address:port} (say someone started a debug server
   * bound to 0.0.0.0). A started node listens on its {@link NodeSpec#HOST}:port, as herd's
   * examples do.
   */
  public synchronized void listenByHand(NodeRef ref, String address, int port) {
    require(ref).listeners.add(new Listener(address, port));
  }

  @Override
  public synchronized List<Listener> listeners(NodeRef ref) {
    check();
    settle();
    Container c = require(ref);
    if (c.state != NodeState.RUNNING) {
      return List.of();
    }
    List<Listener> out = new ArrayList<>(c.listeners);
    out.add(new Listener(NodeSpec.HOST, c.spec.port()));
    return out.stream().distinct().sorted(java.util.Comparator.comparing(Listener::toString)).toList();
  }

  @Override
  public synchronized NodeStats stats(NodeRef ref) {
    check();
    settle();
    Container c = require(ref);
    boolean running = c.state == NodeState.RUNNING;
    accrueCpu(c);
    long cpu = running ? c.cpuNanos : 0;
    return new NodeStats(clock.instant(), cpu, running ? RUNNING_MEMORY_BYTES : 0,
        c.spec.memoryBytes(), running ? 1 : 0);
  }

  /**
   * From now on, each running node of {@code fleet} uses {@code cores} of CPU (a busy fleet for
   * autoscaling tests); nodes use 0.01 cores until told otherwise.
   */
  public synchronized void cpuLoad(String fleet, double cores) {
    if (cores < 0) {
      throw new IllegalArgumentException("cores must be >= 0");
    }
    containersByName.values().forEach(this::accrueCpu);
    fleetCores.put(fleet, cores);
  }

  private void accrueCpu(Container c) {
    Instant now = clock.instant();
    if (c.state == NodeState.RUNNING && c.startedAt != null) {
      Instant from = c.cpuAsOf == null || c.cpuAsOf.isBefore(c.startedAt) ? c.startedAt : c.cpuAsOf;
      double cores = fleetCores.getOrDefault(c.labels.getOrDefault(Labels.FLEET, ""), 0.01);
      c.cpuNanos += (long) (Duration.between(from, now).toNanos() * cores);
    }
    c.cpuAsOf = now;
  }

  @Override
  public synchronized List<LogLine> logs(NodeRef ref, Instant since) {
    check();
    return require(ref).logs.stream().filter(l -> since == null || !l.time().isBefore(since)).toList();
  }

  @Override
  public synchronized Subscription followLogs(NodeRef ref, Instant since, Consumer<LogLine> sink) {
    check();
    Container c = require(ref);
    for (LogLine line : logs(ref, since)) {
      sink.accept(line);
    }
    LogSub sub = new LogSub(c.id, sink);
    logSubs.add(sub);
    return () -> logSubs.remove(sub);
  }

  @Override
  public synchronized Subscription events(String project, Instant since, Consumer<EngineEvent> sink) {
    check();
    settle();
    EventSub sub = new EventSub(project, sink);
    if (since != null) {
      for (EngineEvent e : history) {
        if (!e.time().isBefore(since) && e.node().project().equals(project)) {
          sink.accept(e);
        }
      }
    }
    eventSubs.add(sub);
    return () -> eventSubs.remove(sub);
  }

  @Override
  public void close() {
    eventSubs.clear();
    logSubs.clear();
  }

  // ---- internals ------------------------------------------------------------------------

  private void check() {
    if (!available) {
      throw new EngineUnreachable("fake engine is unavailable (fault injected)", null);
    }
  }

  /** Applies crashes that became due; emitted at the instant they happened. */
  private void settle() {
    if (behaviours.values().stream().noneMatch(b -> b.crashAfter() != null)) {
      return; // nothing scheduled to crash: a list costs no walk over every container
    }
    for (Container c : containersByName.values()) {
      if (c.state != NodeState.RUNNING || c.spec == null) {
        continue;
      }
      Behaviour b = behaviour(c.spec.node());
      if (b.crashAfter() != null) {
        Instant due = c.startedAt.plus(b.crashAfter());
        if (!clock.instant().isBefore(due)) {
          exitAt(c, b.crashExitCode(), due);
        }
      }
    }
  }

  private void exit(Container c, int code) {
    exitAt(c, code, clock.instant());
  }

  private void exitAt(Container c, int code, Instant at) {
    c.state = NodeState.EXITED;
    c.exitCode = code;
    c.finishedAt = at;
    emit(new EngineEvent.Died(at, c.spec.ref(), c.id, code));
  }

  private boolean portTaken(int port) {
    if (hostPorts.contains(port)) {
      return true;
    }
    Container last = lastOnPort.get(port);
    if (last == null) {
      return false; // no node ever started on it
    }
    if (last.state == NodeState.RUNNING && containersByName.get(last.name) == last) {
      return true;
    }
    // the last one stopped or went: an earlier one may have been restarted on it (rare; scan)
    return containersByName.values().stream()
        .anyMatch(c -> c.spec != null && c.state == NodeState.RUNNING && c.spec.port() == port);
  }

  private Optional<Container> herdContainer(NodeRef ref) {
    Container c = containersByName.get(ref.containerName());
    if (c == null || !Labels.isHerdNode(c.labels, ref.project()) || !ref.node().equals(c.labels.get(Labels.NODE))) {
      return Optional.empty();
    }
    return Optional.of(c);
  }

  private Container require(NodeRef ref) {
    return herdContainer(ref).orElseThrow(() -> new EngineFailure("no herd node " + ref, 404, null));
  }

  private void emit(EngineEvent e) {
    history.add(e);
    for (EventSub s : eventSubs) {
      if (s.project.equals(e.node().project())) {
        s.sink.accept(e);
      }
    }
  }

  private void log(Container c, String text) {
    LogLine line = new LogLine(clock.instant(), LogLine.Stream.STDOUT, text);
    c.logs.add(line);
    for (LogSub s : logSubs) {
      if (s.containerId.equals(c.id)) {
        s.sink.accept(line);
      }
    }
  }

  private String newId() {
    return String.format("%064x", nextId++);
  }

  /**
   * The container as a node, built again only when its state changed (as the Docker-API engine
   * inspects only containers that changed since its last list): a list of a settled fleet then
   * costs what a real engine's does, not a copy of every node's env and labels.
   */
  private NodeInfo info(Container c) {
    NodeInfo kept = c.info;
    if (kept != null && kept.state() == c.state && java.util.Objects.equals(kept.exitCode(), c.exitCode)
        && java.util.Objects.equals(kept.startedAt(), c.startedAt) && java.util.Objects.equals(kept.finishedAt(), c.finishedAt)) {
      return kept;
    }
    Map<String, String> env = c.spec == null ? Map.of() : c.spec.effectiveEnv();
    NodeInfo info = NodeInfo.fromLabels(c.id, c.spec.project(), c.labels, c.state, c.exitCode, false,
        c.spec.readOnlyRoot(), c.createdAt, c.startedAt, c.finishedAt, env);
    c.info = info;
    return info;
  }

  private final class Container {
    final String id;
    final String name;
    final NodeSpec spec;
    final Map<String, String> labels;
    final Instant createdAt = clock.instant();
    final Set<FsChange> changes = new LinkedHashSet<>();
    final List<LogLine> logs = new ArrayList<>();
    final List<Integer> publishedPorts = new ArrayList<>();
    final List<Listener> listeners = new ArrayList<>();
    final Map<String, ScratchFile> scratch = new java.util.concurrent.ConcurrentHashMap<>();
    NodeState state = NodeState.CREATED;
    Integer exitCode;
    Instant startedAt;
    Instant finishedAt;
    /** What {@link #signal} delivered, oldest first. */
    final List<String> signals = new ArrayList<>();
    /** CPU time used up to {@link #cpuAsOf} (the rest accrues at the fleet's load, see {@link #cpuLoad}). */
    long cpuNanos;
    Instant cpuAsOf;
    /** The node as last listed or inspected; see {@link #info(Container)}. */
    NodeInfo info;

    Container(String id, String name, NodeSpec spec, Map<String, String> labels) {
      this.id = id;
      this.name = name;
      this.spec = spec;
      this.labels = labels;
    }
  }

  private record EventSub(String project, Consumer<EngineEvent> sink) {}

  private record LogSub(String containerId, Consumer<LogLine> sink) {}
}
