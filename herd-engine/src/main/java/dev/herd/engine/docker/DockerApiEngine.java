package dev.herd.engine.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ChangeLog;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import dev.herd.engine.Engine;
import dev.herd.engine.Listener;
import dev.herd.engine.EngineEvent;
import dev.herd.engine.EngineException;
import dev.herd.engine.EngineFailure;
import dev.herd.engine.EngineInfo;
import dev.herd.engine.EngineUnreachable;
import dev.herd.engine.EnsuredImage;
import dev.herd.engine.ForeignContainer;
import dev.herd.engine.FsChange;
import dev.herd.engine.ImageMissing;
import dev.herd.engine.ImageSource;
import dev.herd.engine.Labels;
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
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine over the Docker-compatible API, served by Podman (its compat API) and Docker
 * Engine alike. Nodes use host networking, a read-only root with tmpfs for writable paths, a
 * read-only /etc/herd bind and a read-only /run/secrets bind of a host tmpfs directory.
 */
public final class DockerApiEngine implements Engine {
  private static final Logger log = LoggerFactory.getLogger(DockerApiEngine.class);
  private static final String TMPFS_OPTIONS = "rw,nosuid,nodev,mode=1777";
  private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);
  /** More than herd ever follows: a log per node of every fleet (herd-spec bounds a fleet; fleets are few) and the events. */
  static final int MAX_FOLLOWERS = 100_000;
  private static final List<String> READ_ONLY_ROOT_TMPFS = List.of("/run", "/tmp", "/var/tmp");

  /**
   * @param stateDir where herd may start a podman service (null: never start one)
   * @param secretsRoot host tmpfs directory for per-node secrets (null: {@link SecretFiles#defaultRoot})
   * @param env the process environment used for discovery
   */
  public record Options(Path stateDir, Path secretsRoot, Map<String, String> env, Duration serviceTimeout) {
    public Options {
      env = Map.copyOf(env);
      serviceTimeout = serviceTimeout == null ? Duration.ofSeconds(30) : serviceTimeout;
    }

    public static Options forState(Path stateDir) {
      return new Options(stateDir, null, System.getenv(), null);
    }
  }

  private final Endpoint endpoint;
  private final ListenSockets listenSockets = ListenSockets.host();
  private final EngineDiscovery.Result discovery;
  private final PodmanService ownedService;
  private final DockerHttpClient requestHttp;
  private final DockerHttpClient streamHttp;
  /** Followers (a log per node, the event stream) each hold a connection for as long as they run. */
  private final DockerHttpClient followHttp;
  private final DockerClient docker;
  private final DockerClient streams;
  private final DockerClient followers;
  private final RawApi raw;
  private final ImageLoader images;
  private final SecretFiles secrets;
  private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
  private volatile EngineInfo known;

  private DockerApiEngine(Endpoint endpoint, EngineDiscovery.Result discovery, PodmanService ownedService, Path secretsRoot) {
    this.endpoint = endpoint;
    this.discovery = discovery;
    this.ownedService = ownedService;
    DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
        .withDockerHost(endpoint.uri().toString()).withDockerTlsVerify(false).build();
    this.requestHttp = new ApacheDockerHttpClient.Builder().dockerHost(endpoint.uri())
        .connectionTimeout(Duration.ofSeconds(5)).responseTimeout(REQUEST_TIMEOUT).maxConnections(64).build();
    // streams (events, logs, image load, stop with a long grace) may be silent for a long time
    this.streamHttp = new ApacheDockerHttpClient.Builder().dockerHost(endpoint.uri())
        .connectionTimeout(Duration.ofSeconds(5)).maxConnections(64).build();
    // a pool of its own, bounded only by the followers herd opens (one per node): in the shared
    // pool 63 followed nodes took every connection and the 64th start waited for one forever
    this.followHttp = new ApacheDockerHttpClient.Builder().dockerHost(endpoint.uri())
        .connectionTimeout(Duration.ofSeconds(5)).maxConnections(MAX_FOLLOWERS).build();
    this.docker = DockerClientImpl.getInstance(config, requestHttp);
    this.streams = DockerClientImpl.getInstance(config, streamHttp);
    this.followers = DockerClientImpl.getInstance(config, followHttp);
    this.raw = new RawApi(streamHttp);
    this.images = new ImageLoader(raw, this::knownInfo);
    this.secrets = new SecretFiles(secretsRoot);
  }

  /** Finds an engine (see {@link EngineDiscovery}) and connects to it. */
  public static DockerApiEngine connect(Options options) {
    EngineDiscovery.Result result =
        EngineDiscovery.standard(options.env(), options.stateDir(), options.serviceTimeout()).discover();
    Path secretsRoot = options.secretsRoot() != null ? options.secretsRoot() : SecretFiles.defaultRoot(options.env());
    return open(result, secretsRoot);
  }

  /**
   * Connects to what discovery found; the engine then owns (and on close stops) any podman
   * service discovery started. Throws {@link EngineUnreachable} listing every candidate when
   * nothing answered.
   */
  public static DockerApiEngine open(EngineDiscovery.Result result, Path secretsRoot) {
    Endpoint e = result.endpoint().orElseThrow(() -> new EngineUnreachable(noEngineMessage(result), null));
    log.info("using engine at {} ({})", e, e.strategy());
    return new DockerApiEngine(e, result, result.service().orElse(null), secretsRoot);
  }

  /** Connects to a known endpoint, without discovery. */
  public static DockerApiEngine open(Endpoint endpoint, Path secretsRoot) {
    return new DockerApiEngine(endpoint, null, null, secretsRoot);
  }

  private static String noEngineMessage(EngineDiscovery.Result r) {
    StringBuilder sb = new StringBuilder("no container engine is reachable; tried:");
    for (EngineDiscovery.Candidate c : r.candidates()) {
      sb.append("\n  ").append(c.strategy()).append(": ").append(c.detail());
    }
    return sb.append("\nInstall Podman (scripts/install-host-deps) or set DOCKER_HOST.").toString();
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  /** How the engine was found; empty when opened on a known endpoint. */
  public Optional<EngineDiscovery.Result> discovery() {
    return Optional.ofNullable(discovery);
  }

  /** True when herd started (or adopted) the podman service it talks to: it restarts it and stops it on close. */
  public boolean ownsService() {
    return ownedService != null;
  }

  /**
   * Calls {@code listener} with a one-line reason each time herd restarts the podman service it
   * owns after it died (never, for an engine herd does not own).
   */
  public AutoCloseable onServiceRestart(Consumer<String> listener) {
    return ownedService == null ? () -> { } : ownedService.onRestart(listener);
  }

  public SecretFiles secretFiles() {
    return secrets;
  }

  // ---- Engine ---------------------------------------------------------------------------

  @Override
  public EngineInfo info() {
    return Calls.retrying("engine version", () -> {
      JsonNode v = raw.get("/version").json();
      JsonNode i = raw.get("/info").json();
      String product = "Docker Engine";
      for (JsonNode c : v.path("Components")) {
        if (c.path("Name").asText("").contains("Podman")) {
          product = "Podman Engine";
        }
      }
      return new EngineInfo(endpoint.toString(), product, v.path("Version").asText("?"),
          v.path("ApiVersion").asText("?"), i.path("DefaultRuntime").asText("?"),
          i.path("CgroupDriver").asText("?"));
    });
  }

  /** The engine's info as first read (product and API version do not change under a connection). */
  private EngineInfo knownInfo() {
    EngineInfo i = known;
    if (i == null) {
      i = info();
      known = i;
    }
    return i;
  }

  @Override
  public EnsuredImage ensureImage(ImageSource source) {
    return Calls.retrying("ensure image " + source.shortDigest(), () -> images.ensure(source));
  }

  @Override
  public NodeInfo startNode(NodeSpec spec, Map<String, Path> restore) {
    NodeRef ref = spec.ref();
    String name = ref.containerName();
    Optional<InspectContainerResponse> existing = inspectByName(name);
    if (existing.isPresent()) {
      throw new NameConflict(name, herdNode(existing.get(), ref).isEmpty());
    }
    // no inspection of the image first: a create of a missing image fails with 404, which
    // create() turns into ImageMissing (one engine call less on every start and replacement)
    if (endpoint.local() && !portFree(spec.port())) {
      throw new PortInUse(spec.port(), "needed by " + ref);
    }
    for (NodeSpec.Volume v : spec.volumes()) {
      ensureVolume(spec, v);
    }
    Optional<Path> secretDir = secrets.write(spec);
    String id;
    try {
      id = create(spec, secretDir);
    } catch (RuntimeException e) {
      secrets.remove(ref);
      throw e;
    }
    try {
      for (NodeSpec.Volume v : spec.volumes()) {
        Path archive = restore.get(v.name());
        if (archive != null) {
          fill(id, ref, v, archive);
        }
      }
    } catch (EngineException e) {
      removeQuietly(id);
      secrets.remove(ref);
      throw e;
    }
    try {
      Calls.retrying("start " + ref, () -> docker.startContainerCmd(id).exec());
    } catch (EngineException e) {
      removeQuietly(id);
      secrets.remove(ref);
      String msg = e.getMessage();
      if (msg != null && msg.contains("address already in use")) {
        throw new PortInUse(spec.port(), msg);
      }
      throw new EngineFailure("could not start " + ref + ": " + msg, e instanceof EngineFailure f ? f.status() : 0, e);
    }
    log.info("started node {} (fleet {}, generation {}, release {}) on port {}",
        ref, spec.fleet(), spec.generation(), spec.releaseId(), spec.port());
    return inspectNode(ref).orElseThrow(() -> new EngineFailure("node " + ref + " vanished right after start"));
  }

  private String create(NodeSpec spec, Optional<Path> secretDir) {
    List<Bind> binds = new ArrayList<>();
    if (spec.configDir() != null) {
      binds.add(new Bind(spec.configDir().toString(), new Volume(NodeSpec.CONFIG_MOUNT), AccessMode.ro));
    }
    secretDir.ifPresent(d -> binds.add(new Bind(d.toString(), new Volume(NodeSpec.SECRETS_MOUNT), AccessMode.ro)));
    // a named volume: read-write on the otherwise read-only root
    spec.volumes().forEach(v -> binds.add(new Bind(spec.volumeName(v), new Volume(v.path()), AccessMode.rw)));
    Map<String, String> tmpfs = new LinkedHashMap<>();
    spec.writablePaths().forEach(p -> tmpfs.put(p, TMPFS_OPTIONS));
    if (spec.readOnlyRoot() && !knownInfo().capabilities().tmpfsOnReadOnlyRoot()) {
      // what Podman gives a read-only root by itself; the same node must behave the same on Docker
      for (String p : READ_ONLY_ROOT_TMPFS) {
        tmpfs.putIfAbsent(p, TMPFS_OPTIONS);
      }
    }
    HostConfig host = HostConfig.newHostConfig()
        .withNetworkMode("host")
        .withReadonlyRootfs(spec.readOnlyRoot())
        .withTmpFs(tmpfs)
        .withBinds(binds);
    if (spec.memoryBytes() > 0) {
      host.withMemory(spec.memoryBytes()).withMemorySwap(spec.memoryBytes());
    }
    if (spec.cpus() > 0) {
      host.withNanoCPUs((long) (spec.cpus() * 1e9));
    }
    List<String> env = spec.effectiveEnv().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    CreateContainerCmd cmd = docker.createContainerCmd(EnsuredImage.refFor(spec.imageDigest()))
        .withName(spec.ref().containerName())
        .withLabels(spec.labels())
        .withEnv(env)
        .withHostConfig(host);
    if (!spec.command().isEmpty()) {
      cmd.withCmd(spec.command());
    }
    try {
      return Calls.retrying("create " + spec.ref(), () -> cmd.exec().getId());
    } catch (EngineFailure e) {
      if (e.status() == 409) {
        throw new NameConflict(spec.ref().containerName(),
            inspectByName(spec.ref().containerName()).flatMap(c -> herdNode(c, spec.ref())).isEmpty());
      }
      if (e.status() == 404) {
        throw new ImageMissing(spec.imageDigest(), e.getMessage());
      }
      throw e;
    }
  }

  @Override
  public boolean stopNode(NodeRef ref, Duration grace) {
    Optional<NodeInfo> node = inspectNode(ref);
    if (node.isEmpty()) {
      return false;
    }
    int seconds = (int) Math.max(0, Math.min(Integer.MAX_VALUE, (grace.toMillis() + 999) / 1000));
    try {
      Calls.retrying("stop " + ref, () -> streams.stopContainerCmd(node.get().id()).withTimeout(seconds).exec());
    } catch (EngineFailure e) {
      // 304: already stopped; 404: removed meanwhile. Either way it is not running.
      if (e.status() != 304 && e.status() != 404) {
        throw e;
      }
    }
    log.info("stopped node {} (grace {}s)", ref, seconds);
    return true;
  }

  @Override
  public boolean signal(NodeRef ref, String signal) {
    dev.herd.engine.Signals.check(signal);
    // a node the last list saw running is signalled by its id in one call (a reload signals
    // every node of a fleet at once); ids are never reused, so this reaches that herd node or
    // nothing. Others are inspected first: a foreign container of that name is never signalled.
    String known = seen.values().stream().map(Seen::info).filter(n -> n.ref().equals(ref) && n.running())
        .map(NodeInfo::id).findFirst().orElse(null);
    Optional<NodeInfo> node = known != null ? Optional.empty() : inspectNode(ref);
    if (known == null && (node.isEmpty() || !node.get().running())) {
      return false;
    }
    String id = known != null ? known : node.get().id();
    try {
      Calls.retrying("signal " + ref, () -> docker.killContainerCmd(id).withSignal(signal).exec());
    } catch (EngineFailure e) {
      // 404: removed meanwhile; 409 (Docker) or 500 "container state improper" (Podman): not
      // running any more. Which one it was is asked, not read from the message.
      if (e.status() == 404 || e.status() == 409
          || known != null && inspectNode(ref).filter(n -> n.id().equals(id) && n.running()).isEmpty()) {
        return false;
      }
      throw e;
    }
    log.info("sent SIG{} to node {}", signal, ref);
    return true;
  }

  @Override
  public boolean removeNode(NodeRef ref) {
    Optional<NodeInfo> node = inspectNode(ref);
    boolean removed = false;
    if (node.isPresent()) {
      try {
        Calls.retrying("remove " + ref, () -> docker.removeContainerCmd(node.get().id()).withForce(true).withRemoveVolumes(true).exec());
        removed = true;
      } catch (EngineFailure e) {
        if (e.status() != 404) {
          throw e;
        }
      }
    }
    // also after a crash that left the directory but no container
    secrets.remove(ref);
    if (removed) {
      log.info("removed node {}", ref);
    }
    return removed;
  }

  @Override
  public List<NodeInfo> listNodes(String project) {
    return list(project, null);
  }

  /**
   * Creates the node's volume with herd's labels when it is missing (the engine would create it
   * unlabelled on first mount); refuses a volume of that name that is not this node's.
   */
  private void ensureVolume(NodeSpec spec, NodeSpec.Volume v) {
    String name = spec.volumeName(v);
    Map<String, String> labels = VolumeInfo.labels(spec.project(), spec.fleet(), v.owner(), v.name());
    Optional<Map<String, String>> existing = volumeLabels(name);
    if (existing.isPresent()) {
      Map<String, String> have = existing.get();
      if (!labels.entrySet().stream().allMatch(e -> e.getValue().equals(have.get(e.getKey())))) {
        throw new EngineFailure("volume " + name + " exists and is not node " + v.owner() + "'s volume " + v.name()
            + " (labels " + new java.util.TreeMap<>(have) + "); herd leaves it alone", 409, null);
      }
      return;
    }
    try {
      Calls.retrying("create volume " + name, () -> docker.createVolumeCmd().withName(name).withLabels(labels).exec());
      log.info("created volume {} (fleet {}, node {})", name, spec.fleet(), v.owner());
    } catch (EngineFailure e) {
      if (e.status() != 409) {
        throw e;
      }
    }
  }

  private Optional<Map<String, String>> volumeLabels(String name) {
    try {
      var v = Calls.retrying("inspect volume " + name, () -> docker.inspectVolumeCmd(name).exec());
      return Optional.of(v.getLabels() == null ? Map.of() : v.getLabels());
    } catch (EngineFailure e) {
      if (e.status() == 404 || e.getCause() instanceof NotFoundException) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Puts the archive into the (created, not yet started) container's volume. */
  private void fill(String id, NodeRef ref, NodeSpec.Volume v, Path archive) {
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(archive)) {
      // no retry: the stream is spent after one attempt
      streams.copyArchiveToContainerCmd(id).withRemotePath(v.path()).withTarInputStream(in).exec();
      log.info("restored volume {} of node {} from {}", v.name(), ref, archive.getFileName());
    } catch (IOException e) {
      throw new EngineFailure("cannot read the archive " + archive + ": " + e.getMessage(), 0, e);
    } catch (RuntimeException e) {
      throw Calls.map("restore volume " + v.name() + " of " + ref, e);
    }
  }

  @Override
  public List<VolumeInfo> listVolumes(String project) {
    var found = Calls.retrying("list volumes of " + project, () -> docker.listVolumesCmd()
        .withFilter("label", List.of(Labels.MANAGED + "=true", Labels.PROJECT + "=" + project)).exec());
    List<VolumeInfo> out = new ArrayList<>();
    if (found.getVolumes() != null) {
      for (var v : found.getVolumes()) {
        VolumeInfo.fromLabels(v.getName(), project, v.getLabels()).ifPresent(out::add);
      }
    }
    out.sort(Comparator.comparing(VolumeInfo::name));
    return out;
  }

  @Override
  public boolean removeVolume(String project, String name) {
    Optional<Map<String, String>> labels = volumeLabels(name);
    if (labels.isEmpty() || VolumeInfo.fromLabels(name, project, labels.get()).isEmpty()) {
      return false;
    }
    try {
      Calls.retrying("remove volume " + name, () -> docker.removeVolumeCmd(name).exec());
    } catch (EngineFailure e) {
      if (e.status() == 404) {
        return false;
      }
      throw e.status() == 409 ? new EngineFailure("volume " + name + " is in use by a container", 409, e) : e;
    }
    log.info("removed volume {}", name);
    return true;
  }

  @Override
  public void exportVolume(NodeRef ref, String volume, java.io.OutputStream out) {
    InspectContainerResponse c = inspectByName(ref.containerName()).filter(i -> herdNode(i, ref).isPresent())
        .orElseThrow(() -> new EngineFailure("no herd node " + ref, 404, null));
    // the volume's owner is the slot (db-1), the node may be a later generation (db-1-g3): ask the volume's labels
    String fleet = c.getConfig().getLabels().get(Labels.FLEET);
    String path = c.getMounts() == null ? null : c.getMounts().stream()
        .filter(m -> m.getName() != null && m.getDestination() != null && m.getName().startsWith(ref.project() + "-" + fleet + "-"))
        .filter(m -> volumeLabels(m.getName()).flatMap(l -> VolumeInfo.fromLabels(m.getName(), ref.project(), l))
            .filter(v -> v.volume().equals(volume) && v.fleet().equals(fleet)).isPresent())
        .map(m -> m.getDestination().getPath()).findFirst().orElse(null);
    if (path == null) {
      throw new EngineFailure("node " + ref + " has no volume " + volume + " mounted", 404, null);
    }
    // "/." asks for the directory's content: entries relative to the volume's root on both engines
    try (java.io.InputStream in = streams.copyArchiveFromContainerCmd(c.getId(), path + "/.").exec()) {
      in.transferTo(out);
    } catch (IOException e) {
      throw new EngineUnreachable("export of volume " + volume + " of " + ref + " broke off: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw Calls.map("export volume " + volume + " of " + ref, e);
    }
  }

  @Override
  public void copyFileIn(NodeRef ref, String path, Path source, NodeSpec.RunAs owner) {
    int slash = path.lastIndexOf('/');
    if (!path.startsWith("/") || slash == path.length() - 1 || path.contains("/../") || path.endsWith("/..")) {
      throw new IllegalArgumentException("copyFileIn needs an absolute file path, got " + path);
    }
    NodeInfo node = inspectNode(ref).orElseThrow(() -> new EngineFailure("no herd node " + ref, 404, null));
    if (!node.running()) {
      throw new EngineFailure("node " + ref + " is not running", 409, null);
    }
    String dir = slash == 0 ? "/" : path.substring(0, slash);
    long size;
    try {
      size = java.nio.file.Files.size(source);
    } catch (IOException e) {
      throw new EngineFailure("cannot read " + source + ": " + e.getMessage(), 0, e);
    }
    // one tar entry that says 0600 and the node's uid/gid: the engine unpacks it as it says, so the
    // file is never readable by anyone else in the node. Streamed: an archive may be gigabytes.
    java.io.PipedInputStream in = new java.io.PipedInputStream(1 << 16);
    java.util.concurrent.atomic.AtomicReference<IOException> readFailed = new java.util.concurrent.atomic.AtomicReference<>();
    Thread writer;
    try {
      java.io.PipedOutputStream pipe = new java.io.PipedOutputStream(in);
      writer = Thread.ofVirtual().name("herd-copy-in-" + ref.containerName()).start(() -> {
        try (var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(pipe)) {
          out.setLongFileMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_POSIX);
          out.setBigNumberMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.BIGNUMBER_POSIX);
          var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(path.substring(slash + 1));
          entry.setSize(size);
          entry.setMode(0100600);
          entry.setUserId(owner.uid());
          entry.setGroupId(owner.gid());
          entry.setModTime(new java.util.Date());
          out.putArchiveEntry(entry);
          java.nio.file.Files.copy(source, out);
          out.closeArchiveEntry();
        } catch (IOException e) {
          readFailed.set(e);
        }
      });
    } catch (IOException e) {
      throw new EngineFailure("cannot stream " + source + ": " + e.getMessage(), 0, e);
    }
    try (in) {
      streams.copyArchiveToContainerCmd(node.id()).withRemotePath(dir).withTarInputStream(in).exec();
    } catch (IOException e) {
      throw new EngineFailure("cannot stream " + source + ": " + e.getMessage(), 0, e);
    } catch (RuntimeException e) {
      // no retry: the stream is spent after one attempt
      EngineException mapped = Calls.map("copy a file into " + dir + " of " + ref, e);
      if (String.valueOf(mapped.getMessage()).contains("read-only")) {
        // Docker's archive API writes to the container's root filesystem, never into its tmpfs mounts
        throw new EngineFailure("cannot copy a file into " + dir + " of " + ref + ": this engine writes only to the"
            + " container's root filesystem, which is read-only, not into its tmpfs (Podman does)", 409, e);
      }
      throw mapped;
    } finally {
      try {
        writer.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (readFailed.get() != null && !(readFailed.get().getMessage() + "").contains("Pipe closed")) {
      throw new EngineFailure("cannot read " + source + ": " + readFailed.get().getMessage(), 0, readFailed.get());
    }
  }

  @Override
  public ExecResult exec(NodeRef ref, List<String> command, java.io.OutputStream stdout) {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("exec needs a command");
    }
    NodeInfo node = inspectNode(ref).orElseThrow(() -> new EngineFailure("no herd node " + ref, 404, null));
    if (!node.running()) {
      throw new EngineFailure("node " + ref + " is not running", 409, null);
    }
    String execId = Calls.retrying("exec in " + ref, () -> docker.execCreateCmd(node.id()).withCmd(command.toArray(String[]::new))
        .withAttachStdout(true).withAttachStderr(true).withAttachStdin(false).exec().getId());
    StringBuilder err = new StringBuilder();
    java.util.concurrent.atomic.AtomicReference<IOException> writeFailed = new java.util.concurrent.atomic.AtomicReference<>();
    ResultCallback.Adapter<Frame> cb = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Frame f) {
        if (f.getStreamType() == com.github.dockerjava.api.model.StreamType.STDERR) {
          synchronized (err) {
            err.append(new String(f.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
            if (err.length() > 2 * ExecResult.MAX_STDERR) {
              err.delete(0, err.length() - ExecResult.MAX_STDERR);
            }
          }
        } else if (writeFailed.get() == null) {
          try {
            stdout.write(f.getPayload());
          } catch (IOException e) {
            writeFailed.set(e);
          }
        }
      }

      @Override
      public void onError(Throwable t) {
        log.debug("exec stream in {} ended with an error", ref, t);
        super.onError(t);
      }
    };
    try {
      streams.execStartCmd(execId).exec(cb).awaitCompletion();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineFailure("interrupted while running a command in " + ref, 0, e);
    } catch (RuntimeException e) {
      throw Calls.map("exec in " + ref, e);
    } finally {
      closeQuietly(cb);
    }
    if (writeFailed.get() != null) {
      throw new EngineFailure("could not write the output of a command in " + ref + ": " + writeFailed.get().getMessage(), 0,
          writeFailed.get());
    }
    Long code = Calls.retrying("inspect exec in " + ref, () -> docker.inspectExecCmd(execId).exec().getExitCodeLong());
    synchronized (err) {
      return new ExecResult(code == null ? -1 : code.intValue(), err.toString());
    }
  }

  @Override
  public List<NodeInfo> listNodes(String project, String fleet) {
    return list(project, java.util.Objects.requireNonNull(fleet, "fleet"));
  }

  /**
   * A node inspected earlier, kept while its container's state (as the list reports it) stays
   * the same: a list inspects only containers that are new or changed state.
   */
  private record Seen(String state, NodeInfo info) {}

  private final Map<String, Seen> seen = new java.util.concurrent.ConcurrentHashMap<>();

  /** herd's nodes of the project (of one fleet when {@code fleet} is not null), by the engine's label filter. */
  private List<NodeInfo> list(String project, String fleet) {
    Map<String, String> filter = new LinkedHashMap<>(Map.of(Labels.MANAGED, "true", Labels.PROJECT, project));
    if (fleet != null) {
      filter.put(Labels.FLEET, fleet);
    }
    List<Container> found = Calls.retrying("list nodes of " + project + (fleet == null ? "" : " fleet " + fleet),
        () -> docker.listContainersCmd().withShowAll(true).withLabelFilter(filter).exec());
    List<NodeInfo> out = new ArrayList<>();
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (Container c : found) {
      // filter again: herd must never act on a container without its labels, whatever the engine's filter did
      if (!Labels.isHerdNode(c.getLabels(), project) || fleet != null && !fleet.equals(c.getLabels().get(Labels.FLEET))) {
        continue;
      }
      ids.add(c.getId());
      String state = String.valueOf(c.getState());
      Seen s = seen.get(c.getId());
      if (s != null && s.state().equals(state)) {
        out.add(s.info());
        continue;
      }
      Optional<NodeInfo> info = inspectNode(new NodeRef(project, c.getLabels().get(Labels.NODE)))
          .filter(n -> n.id().equals(c.getId()));
      info.ifPresent(out::add);
      // kept only when the inspect agrees with the list (a container caught mid-change is asked again next time)
      info.filter(n -> NodeState.fromEngine(state) == n.state()).ifPresent(n -> seen.put(c.getId(), new Seen(state, n)));
    }
    // what this list covered and no longer shows is gone
    seen.values().removeIf(s -> s.info().ref().project().equals(project) && (fleet == null || s.info().fleet().equals(fleet))
        && !ids.contains(s.info().id()));
    out.sort(Comparator.comparing(NodeInfo::name));
    return out;
  }

  @Override
  public List<ForeignContainer> listForeign(java.util.Collection<String> namePrefixes, java.util.Collection<Integer> hostPorts) {
    List<Container> all = Calls.retrying("list containers", () -> docker.listContainersCmd().withShowAll(true).exec());
    List<ForeignContainer> out = new ArrayList<>();
    for (Container c : all) {
      Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
      // a herd node of any project is not foreign (other projects are simply not ours to judge)
      if ("true".equals(labels.get(Labels.MANAGED)) && labels.get(Labels.PROJECT) != null) {
        continue;
      }
      String name = c.getNames() == null || c.getNames().length == 0 ? c.getId() : c.getNames()[0].replaceFirst("^/", "");
      List<Integer> ports = new ArrayList<>();
      if (c.getPorts() != null) {
        for (var p : c.getPorts()) {
          if (p.getPublicPort() != null && !ports.contains(p.getPublicPort())) {
            ports.add(p.getPublicPort());
          }
        }
      }
      boolean byName = namePrefixes.stream().anyMatch(name::startsWith);
      boolean byPort = ports.stream().anyMatch(hostPorts::contains);
      if (byName || byPort) {
        out.add(new ForeignContainer(c.getId(), name, c.getImage(), c.getState(), ports));
      }
    }
    out.sort(Comparator.comparing(ForeignContainer::name));
    return out;
  }

  @Override
  public Optional<NodeInfo> inspectNode(NodeRef ref) {
    return inspectByName(ref.containerName()).flatMap(c -> herdNode(c, ref));
  }

  private Optional<InspectContainerResponse> inspectByName(String name) {
    try {
      return Optional.of(Calls.retrying("inspect " + name, () -> docker.inspectContainerCmd(name).exec()));
    } catch (EngineFailure e) {
      if (e.status() == 404 || e.getCause() instanceof NotFoundException) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static Optional<NodeInfo> herdNode(InspectContainerResponse c, NodeRef ref) {
    Map<String, String> labels = c.getConfig() == null || c.getConfig().getLabels() == null
        ? Map.of() : c.getConfig().getLabels();
    if (!Labels.isHerdNode(labels, ref.project()) || !ref.node().equals(labels.get(Labels.NODE))) {
      return Optional.empty();
    }
    InspectContainerResponse.ContainerState s = c.getState();
    NodeState state = NodeState.fromEngine(s.getStatus());
    boolean ended = state == NodeState.EXITED || state == NodeState.DEAD;
    Map<String, String> env = new LinkedHashMap<>();
    if (c.getConfig().getEnv() != null) {
      for (String kv : c.getConfig().getEnv()) {
        int eq = kv.indexOf('=');
        env.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
      }
    }
    boolean ro = c.getHostConfig() != null && Boolean.TRUE.equals(c.getHostConfig().getReadonlyRootfs());
    return Optional.ofNullable(NodeInfo.fromLabels(c.getId(), ref.project(), labels, state,
        ended && s.getExitCodeLong() != null ? Integer.valueOf(s.getExitCodeLong().intValue()) : null,
        Boolean.TRUE.equals(s.getOOMKilled()), ro, time(c.getCreated()), time(s.getStartedAt()),
        ended ? time(s.getFinishedAt()) : null, env));
  }

  @Override
  public List<FsChange> diff(NodeRef ref) {
    InspectContainerResponse c = inspectByName(ref.containerName()).filter(i -> herdNode(i, ref).isPresent())
        .orElseThrow(() -> new EngineFailure("no herd node " + ref, 404, null));
    List<ChangeLog> changes = Calls.retrying("diff " + ref, () -> docker.containerDiffCmd(c.getId()).exec());
    List<FsChange> raw = new ArrayList<>();
    for (ChangeLog ch : changes == null ? List.<ChangeLog>of() : changes) {
      raw.add(new FsChange(ch.getPath(), FsChange.kindOf(ch.getKind())));
    }
    List<String> mounts = new ArrayList<>(List.of(NodeSpec.CONFIG_MOUNT, NodeSpec.SECRETS_MOUNT));
    if (c.getHostConfig() != null && c.getHostConfig().getTmpFs() != null) {
      mounts.addAll(c.getHostConfig().getTmpFs().keySet());
    }
    if (c.getMounts() != null) {
      c.getMounts().forEach(m -> {
        if (m.getDestination() != null) {
          mounts.add(m.getDestination().getPath());
        }
      });
    }
    return ChangeFilter.filter(raw, mounts);
  }

  @Override
  public List<Listener> listeners(NodeRef ref) {
    NodeInfo node = inspectNode(ref).orElseThrow(() -> new EngineFailure("no herd node " + ref, 404, null));
    if (!node.running()) {
      return List.of();
    }
    java.util.OptionalLong pid = pidOf(node.id());
    if (pid.isEmpty()) {
      return List.of();
    }
    try {
      return listenSockets.of(pid.getAsLong());
    } catch (java.io.IOException e) {
      throw new EngineFailure("cannot read the sockets of " + ref + " from this host: " + e.getMessage());
    }
  }

  @Override
  public NodeStats stats(NodeRef ref) {
    NodeInfo node = inspectNode(ref).orElseThrow(() -> new EngineFailure("no herd node " + ref, 404, null));
    RawApi.Reply r = Calls.retrying("stats " + ref, () -> raw.get("/containers/" + node.id() + "/stats?stream=false"));
    if (r.status() != 200) {
      throw new EngineFailure("stats of " + ref + ": " + r.status() + " " + RawApi.abbreviate(r.body()), r.status(), null);
    }
    JsonNode j = r.json();
    long limit = j.path("memory_stats").path("limit").asLong(0);
    InspectContainerResponse c = inspectByName(ref.containerName()).orElseThrow();
    Long configured = c.getHostConfig() == null ? null : c.getHostConfig().getMemory();
    // without a limit engines report the host's memory (or a huge number); herd says 0 = none
    long reportedLimit = configured == null || configured == 0 ? 0 : limit;
    return new NodeStats(Clock.systemUTC().instant(),
        Math.max(0, j.path("cpu_stats").path("cpu_usage").path("total_usage").asLong(0)),
        Math.max(0, j.path("memory_stats").path("usage").asLong(0)), Math.max(0, reportedLimit),
        Math.max(0, j.path("pids_stats").path("current").asLong(0)));
  }

  @Override
  public List<LogLine> logs(NodeRef ref, Instant since) {
    NodeInfo node = inspectNode(ref).orElseThrow(() -> new EngineFailure("no herd node " + ref, 404, null));
    List<LogLine> lines = new CopyOnWriteArrayList<>();
    LogCallback cb = new LogCallback(since, lines::add);
    Calls.retrying("logs " + ref, () -> logCmd(node.id(), since, false).exec(cb));
    try {
      if (!cb.awaitCompletion(REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        throw new EngineFailure("logs of " + ref + " did not finish within " + REQUEST_TIMEOUT.toSeconds() + "s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineFailure("interrupted while reading logs of " + ref, 0, e);
    } finally {
      closeQuietly(cb);
    }
    cb.flush();
    return List.copyOf(lines);
  }

  @Override
  public Subscription followLogs(NodeRef ref, Instant since, Consumer<LogLine> sink) {
    NodeInfo node = inspectNode(ref).orElseThrow(() -> new EngineFailure("no herd node " + ref, 404, null));
    LogCallback cb = new LogCallback(since, sink);
    Calls.retrying("follow logs " + ref, () -> logCmd(node.id(), since, true).exec(cb));
    open.add(cb);
    return () -> {
      open.remove(cb);
      closeQuietly(cb);
    };
  }

  private com.github.dockerjava.api.command.LogContainerCmd logCmd(String id, Instant since, boolean follow) {
    var cmd = (follow ? followers : streams).logContainerCmd(id).withStdOut(true).withStdErr(true).withTimestamps(true)
        .withFollowStream(follow);
    if (since != null) {
      cmd.withSince((int) since.getEpochSecond());
    }
    return cmd;
  }

  @Override
  public Subscription events(String project, Instant since, Consumer<EngineEvent> sink) {
    // OOM kills of helper processes come from the nodes' memory cgroups; the engine reports few or none
    OomPoller oom = new OomPoller(() -> listNodes(project), this::pidOf, CgroupOom.host(), sink);
    EventStream stream = new EventStream(project, since == null ? Instant.now() : since, e -> {
      if (!oom.duplicate(e)) {
        sink.accept(e);
      }
    });
    open.add(stream);
    open.add(oom);
    stream.connect();
    oom.start();
    return () -> {
      open.remove(stream);
      open.remove(oom);
      stream.close();
      oom.close();
    };
  }

  private java.util.OptionalLong pidOf(String containerId) {
    Optional<InspectContainerResponse> c = inspectByName(containerId);
    Long pid = c.map(i -> i.getState().getPidLong()).orElse(null);
    return pid == null || pid <= 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(pid);
  }

  @Override
  public void close() {
    for (AutoCloseable c : open) {
      closeQuietly(c);
    }
    open.clear();
    closeQuietly(docker);
    closeQuietly(streams);
    closeQuietly(requestHttp);
    closeQuietly(streamHttp);
    closeQuietly(followers);
    closeQuietly(followHttp);
    if (ownedService != null) {
      ownedService.close();
    }
  }

  // ---- internals ------------------------------------------------------------------------

  /** Host networking: the node binds the host's port, so herd checks it is free first. */
  static boolean portFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void removeQuietly(String id) {
    try {
      docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
    } catch (RuntimeException e) {
      log.warn("could not remove failed container {}: {}", id, Calls.engineMessage(e));
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      log.debug("close failed: {}", e.toString());
    }
  }

  static Instant time(String s) {
    if (s == null || s.isBlank() || s.startsWith("0001-01-01")) {
      return null;
    }
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Splits frames into lines per stream and strips the engine's timestamp prefix. */
  private static final class LogCallback extends ResultCallback.Adapter<Frame> {
    private final Instant since;
    private final Consumer<LogLine> sink;
    private final StringBuilder out = new StringBuilder();
    private final StringBuilder err = new StringBuilder();

    LogCallback(Instant since, Consumer<LogLine> sink) {
      this.since = since;
      this.sink = sink;
    }

    /** A broken log stream (the engine went away) is expected: no ERROR with a stack trace from docker-java. */
    @Override
    public void onError(Throwable t) {
      log.debug("log stream ended with an error", t);
      closeQuietly(this);
    }

    @Override
    public synchronized void onNext(Frame f) {
      boolean isErr = f.getStreamType() == com.github.dockerjava.api.model.StreamType.STDERR;
      StringBuilder buf = isErr ? err : out;
      buf.append(new String(f.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
      int nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        emit(buf.substring(0, nl), isErr);
        buf.delete(0, nl + 1);
      }
    }

    synchronized void flush() {
      if (!out.isEmpty()) {
        emit(out.toString(), false);
        out.setLength(0);
      }
      if (!err.isEmpty()) {
        emit(err.toString(), true);
        err.setLength(0);
      }
    }

    private void emit(String raw, boolean isErr) {
      Instant t = null;
      String text = raw;
      int sp = raw.indexOf(' ');
      if (sp > 0) {
        t = time(raw.substring(0, sp));
        if (t != null) {
          text = raw.substring(sp + 1);
        }
      }
      // engines stamp lines to the second (Podman 4) or finer: compare whole seconds
      if (since != null && t != null && t.getEpochSecond() < since.getEpochSecond()) {
        return;
      }
      sink.accept(new LogLine(t, isErr ? LogLine.Stream.STDERR : LogLine.Stream.STDOUT, text));
    }
  }

  /** One events subscription; reconnects from the last event seen when the stream breaks. */
  private final class EventStream implements AutoCloseable {
    private final EventMapper mapper;
    private final Consumer<EngineEvent> sink;
    private volatile Instant resumeFrom;
    private volatile boolean closed;
    private volatile ResultCallback.Adapter<Event> current;
    private volatile Duration backoff = Duration.ofMillis(200);
    /** Set while the stream is broken: one WARN per outage, the retries at DEBUG. */
    private volatile boolean broken;

    EventStream(String project, Instant since, Consumer<EngineEvent> sink) {
      this.mapper = new EventMapper(project);
      this.sink = sink;
      this.resumeFrom = since;
    }

    void connect() {
      if (closed) {
        return;
      }
      ResultCallback.Adapter<Event> cb = new ResultCallback.Adapter<>() {
        @Override
        public void onNext(Event e) {
          backoff = Duration.ofMillis(200);
          if (broken) {
            broken = false;
            log.info("events stream reconnected (events since {} replayed)", resumeFrom);
          }
          mapper.map(e).ifPresent(ev -> {
            resumeFrom = ev.time();
            sink.accept(ev);
          });
        }

        @Override
        public void onError(Throwable t) {
          // not super.onError: docker-java logs every broken stream at ERROR with a stack trace
          log.debug("events stream failed", t);
          closeQuietly(this);
          reconnectLater("events stream failed: " + t);
        }

        @Override
        public void onComplete() {
          super.onComplete();
          reconnectLater("events stream ended");
        }
      };
      current = cb;
      try {
        followers.eventsCmd().withSince(Long.toString(resumeFrom.getEpochSecond()))
            .withEventTypeFilter(EventType.CONTAINER).exec(cb);
      } catch (RuntimeException e) {
        reconnectLater("cannot open events stream: " + Calls.map("events", e).getMessage());
      }
    }

    private void reconnectLater(String why) {
      if (closed) {
        return;
      }
      Duration wait = backoff;
      backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : backoff.multipliedBy(2);
      if (broken) {
        log.debug("{}; reconnecting in {} ms (events since {} are replayed)", why, wait.toMillis(), resumeFrom);
      } else {
        broken = true;
        // INFO: a symptom; the operator hears of the cause (reconcile failed, engine restarted)
        log.info("{}; reconnecting in {} ms (events since {} are replayed)", why, wait.toMillis(), resumeFrom);
      }
      Thread.ofVirtual().name("herd-events-reconnect").start(() -> {
        try {
          Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
          return;
        }
        connect();
      });
    }

    @Override
    public void close() {
      closed = true;
      ResultCallback.Adapter<Event> cb = current;
      if (cb != null) {
        closeQuietly(cb);
      }
    }
  }
}
