package dev.herd.kube;

import dev.herd.engine.Engine;
import dev.herd.engine.EngineCapabilities;
import dev.herd.engine.EngineEvent;
import dev.herd.engine.EngineFailure;
import dev.herd.engine.EngineInfo;
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
import dev.herd.engine.Subscription;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * herd's {@link Engine} on a Kubernetes namespace: a node is a Pod named like its local
 * container ({@code <project>-web-3-g2}), labelled with herd's labels, with its /etc/herd in an
 * immutable ConfigMap and its secrets in an immutable Secret owned by the Pod (the cluster's
 * garbage collector removes it with the Pod). Events come from an informer (a watch), never from
 * polling; logs are followed through the API.
 *
 * <p>What a cluster does not offer herd says so instead of pretending: a Pod cannot be stopped
 * and kept (stop deletes it, waiting the grace period), nor signalled, nor diffed against its
 * image; see docs/engine.md, "Kubernetes".
 */
public final class KubernetesEngine implements Engine {
  private static final Logger log = LoggerFactory.getLogger(KubernetesEngine.class);

  private final KubernetesClient client;
  private final String namespace;
  private final KubeFleets fleets;
  private final Clock clock;
  private final String endpoint;
  /** Digests herd made available: on a cluster the kubelet pulls them, herd only vouches for them. */
  private final Set<String> ensured = ConcurrentHashMap.newKeySet();
  /** Content-named ConfigMaps known to exist: immutable, so one create per content, not per node. */
  private final Set<String> configMaps = ConcurrentHashMap.newKeySet();
  private final List<AutoCloseable> open = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** The Pods informers of open event subscriptions, by project: readiness is read from them, not with a GET. */
  private final Map<String, SharedIndexInformer<Pod>> podCaches = new java.util.concurrent.ConcurrentHashMap<>();

  /** How long startNode waits (on a watch) for the kubelet to run the Pod before it returns it still pending. */
  private final Duration startWait;

  public KubernetesEngine(KubernetesClient client, String namespace, KubeFleets fleets, Clock clock) {
    this(client, namespace, fleets, clock, Duration.ofSeconds(60));
  }

  public KubernetesEngine(KubernetesClient client, String namespace, KubeFleets fleets, Clock clock, Duration startWait) {
    this.startWait = Objects.requireNonNull(startWait, "startWait");
    this.client = Objects.requireNonNull(client, "client");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.fleets = Objects.requireNonNull(fleets, "fleets");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.endpoint = client.getMasterUrl() + " namespace " + namespace;
  }

  public String namespace() {
    return namespace;
  }

  @Override
  public EngineInfo info() {
    String version;
    try {
      var v = client.getKubernetesVersion();
      version = v == null ? "" : v.getGitVersion();
    } catch (KubernetesClientException e) {
      throw KubeErrors.of("read the version of", "the API server", e);
    }
    return new EngineInfo(endpoint, "Kubernetes", version == null ? "" : version, "v1", "kubelet", "", CAPABILITIES);
  }

  /**
   * A cluster pulls images (no archive is loaded), reports no exec events (an ephemeral
   * container is seen instead), keeps no event log, mounts emptyDir where herd asks, and runs
   * Pods herd cannot reach from its host: their health is the Pod's Ready condition ({@link #ready});
   * a fleet's Service sends its traffic to the Pods herd labels in service ({@link #setInService}).
   */
  static final EngineCapabilities CAPABILITIES = new EngineCapabilities(List.of(ImageSource.Format.OCI_ARCHIVE), false, false, true,
      false, true);

  @Override
  public EngineCapabilities capabilities() {
    return CAPABILITIES;
  }

  /**
   * A cluster pulls images from a registry; herd cannot load an archive into it. The digest is
   * recorded as ensured (herd pushed it, or the cluster already runs it) and nothing is sent.
   */
  @Override
  public EnsuredImage ensureImage(ImageSource source) {
    boolean first = ensured.add(source.digest());
    if (first) {
      log.debug("image {} is pulled by the cluster from its registry", source.shortDigest());
    }
    return new EnsuredImage(source.digest(), EnsuredImage.refFor(source.digest()), false);
  }

  @Override
  public NodeInfo startNode(NodeSpec spec, Map<String, java.nio.file.Path> restore) {
    if (!spec.volumes().isEmpty() || !restore.isEmpty()) {
      throw new EngineFailure("kubernetes: cannot start " + spec.ref() + ": fleet volumes are not built for clusters yet"
          + " (they would be PersistentVolumeClaims); run stateful fleets on a local engine");
    }
    if (!ensured.contains(spec.imageDigest())) {
      throw new ImageMissing(spec.imageDigest(), "never ensured on this cluster engine");
    }
    KubeNode node = new KubeNode(spec, configFiles(spec.configDir()), fleets.health(spec.fleet()), fleets.image(spec),
        fleets.pullSecret(spec.fleet()), false); // out of its Service until herd's controller puts it in (ready, in the traffic set)
    String podName = spec.ref().containerName();
    Optional<ConfigMap> cm = KubeObjects.configMap(namespace, node);
    boolean madeConfigMap = false;
    if (cm.isPresent() && !configMaps.contains(cm.get().getMetadata().getName())) {
      madeConfigMap = createIfAbsent(cm.get());
      configMaps.add(cm.get().getMetadata().getName());
    }
    Pod created;
    try {
      created = client.pods().inNamespace(namespace).resource(KubeObjects.pod(namespace, node)).create();
    } catch (KubernetesClientException e) {
      if (madeConfigMap) {
        deleteQuietly(cm.get());
        configMaps.remove(cm.get().getMetadata().getName());
      }
      if (e.getCode() == 409) {
        Pod other = client.pods().inNamespace(namespace).withName(podName).get();
        boolean foreign = other == null || !isHerds(other, spec.project());
        throw new NameConflict(podName, foreign);
      }
      throw KubeErrors.of("create", "Pod " + namespace + "/" + podName, e);
    }
    Optional<Secret> secret = KubeObjects.secret(namespace, node);
    if (secret.isPresent()) {
      // owned by the Pod: the cluster deletes it with the Pod, so a replaced node costs no extra delete
      Secret owned = new SecretBuilder(secret.get()).editMetadata().withOwnerReferences(new OwnerReferenceBuilder()
          .withApiVersion("v1").withKind("Pod").withName(podName).withUid(created.getMetadata().getUid())
          .withBlockOwnerDeletion(false).withController(true).build()).endMetadata().build();
      try {
        client.secrets().inNamespace(namespace).resource(owned).create();
      } catch (KubernetesClientException e) {
        // nothing half-applied: the Pod would wait for its secrets forever
        deleteQuietly(created);
        if (madeConfigMap) {
          deleteQuietly(cm.get());
          configMaps.remove(cm.get().getMetadata().getName());
        }
        throw KubeErrors.of("create", "Secret " + namespace + "/" + owned.getMetadata().getName(), e);
      }
    }
    log.info("started node {} (fleet {}, generation {}, release {}) as Pod {}/{}",
        spec.ref(), spec.fleet(), spec.generation(), spec.releaseId(), namespace, podName);
    return toInfo(awaitScheduled(created), spec.project());
  }

  /**
   * Like a local engine's start, returns once the node runs (or already exited), waiting on a
   * watch, at most {@code startWait}: a Pod still pulling its image is returned pending and
   * reported Started by the event stream later.
   */
  private Pod awaitScheduled(Pod created) {
    if (startWait.isZero()) {
      return created;
    }
    try {
      return client.pods().inNamespace(namespace).withName(created.getMetadata().getName()).waitUntilCondition(p -> {
        if (p == null) {
          return true;
        }
        NodeState s = state(p, containerStatus(p));
        return s == NodeState.RUNNING || s == NodeState.EXITED;
      }, startWait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (KubernetesClientException e) { // timed out (or the watch failed): the Pod as it was
      log.debug("node {} not running after {}: {}", created.getMetadata().getName(), startWait, e.getMessage());
      return created;
    }
  }

  /** True when this call created it; a 409 means the same content-named object is there already. */
  private boolean createIfAbsent(HasMetadata o) {
    try {
      client.resource(o).inNamespace(namespace).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return false;
      }
      throw KubeErrors.of("create", o.getKind() + " " + namespace + "/" + o.getMetadata().getName(), e);
    }
  }

  private void deleteQuietly(HasMetadata o) {
    try {
      client.resource(o).inNamespace(namespace).delete();
    } catch (KubernetesClientException e) {
      log.warn("kubernetes: could not undo {} {}/{}: {}", o.getKind(), namespace, o.getMetadata().getName(), e.getMessage());
    }
  }

  private static Map<String, byte[]> configFiles(Path dir) {
    if (dir == null) {
      return Map.of();
    }
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
        files.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the node's config files in " + dir, e);
    }
    return files;
  }

  /** A cluster keeps no stopped Pod: stop deletes it with the grace period and waits until it is gone. */
  @Override
  public boolean stopNode(NodeRef node, Duration grace) {
    Optional<Pod> pod = herdPod(node);
    if (pod.isEmpty()) {
      return false;
    }
    delete(node, pod.get(), grace);
    return true;
  }

  /** Kubernetes has no API to signal a container's process. */
  @Override
  public boolean signal(NodeRef node, String signal) {
    dev.herd.engine.Signals.check(signal);
    throw new EngineFailure("kubernetes: cannot send SIG" + signal + " to " + node
        + ": the Kubernetes API has no way to signal a container (use on_config_change: rolling on a cluster)");
  }

  @Override
  public boolean removeNode(NodeRef node) {
    Optional<Pod> pod = herdPod(node);
    if (pod.isEmpty()) {
      return false;
    }
    delete(node, pod.get(), Duration.ZERO);
    return true;
  }

  /**
   * Deletes the Pod and its Secret. The Secret is owned by the Pod, so the cluster would collect
   * it anyway, but later: herd's contract is that a removed node's secrets are gone when the call
   * returns.
   */
  private void delete(NodeRef node, Pod pod, Duration grace) {
    String name = pod.getMetadata().getName();
    try {
      client.pods().inNamespace(namespace).withName(name).withGracePeriod(grace.toSeconds()).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw KubeErrors.of("delete", "Pod " + namespace + "/" + name, e);
      }
    }
    deleteUnusedConfigMaps(node, pod);
    if (pod.getSpec() != null && pod.getSpec().getVolumes() != null) {
      for (var v : pod.getSpec().getVolumes()) {
        if (v.getSecret() != null && v.getSecret().getSecretName().startsWith(name + "-secrets-")) {
          try {
            client.secrets().inNamespace(namespace).withName(v.getSecret().getSecretName()).delete();
          } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
              throw KubeErrors.of("delete", "Secret " + namespace + "/" + v.getSecret().getSecretName(), e);
            }
          }
        }
      }
    }
    log.info("removed node {} (Pod {}/{})", node, namespace, name);
  }

  /**
   * A content-named ConfigMap may be shared by nodes with the same files; herd's node files name
   * their node, so in practice each node has its own. It goes when no other Pod of the fleet
   * mounts it (one list of the fleet's Pods, one delete).
   */
  private void deleteUnusedConfigMaps(NodeRef node, Pod pod) {
    if (pod.getSpec() == null || pod.getSpec().getVolumes() == null) {
      return;
    }
    List<String> mine = pod.getSpec().getVolumes().stream().filter(v -> v.getConfigMap() != null)
        .map(v -> v.getConfigMap().getName()).toList();
    if (mine.isEmpty()) {
      return;
    }
    String fleet = pod.getMetadata().getLabels().getOrDefault(Labels.FLEET, "");
    Set<String> used = new java.util.HashSet<>();
    try {
      for (Pod other : client.pods().inNamespace(namespace).withLabel(Labels.MANAGED, "true")
          .withLabel(Labels.PROJECT, node.project()).withLabel(Labels.FLEET, fleet).list().getItems()) {
        if (!other.getMetadata().getName().equals(pod.getMetadata().getName()) && other.getSpec() != null
            && other.getSpec().getVolumes() != null) {
          other.getSpec().getVolumes().stream().filter(v -> v.getConfigMap() != null).forEach(v -> used.add(v.getConfigMap().getName()));
        }
      }
      for (String cm : mine) {
        if (!used.contains(cm)) {
          client.configMaps().inNamespace(namespace).withName(cm).delete();
          configMaps.remove(cm);
        }
      }
    } catch (KubernetesClientException e) {
      // the node is gone; a left ConfigMap is harmless (immutable, named by content): say so once
      log.warn("kubernetes: ConfigMaps of removed node {} not deleted: {}", node, e.getMessage());
    }
  }

  /**
   * The exposed fleet's Service (selecting its in-service nodes); created when absent. Returns
   * true when this call created it.
   */
  public boolean ensureService(String project, String fleet, dev.herd.spec.Fleet.Expose expose) {
    return createIfAbsent(KubeObjects.service(namespace, project, fleet, expose, KubeObjects.NODE_PORT));
  }

  /**
   * Creates the registry's image pull Secret, or replaces it when {@code herd login} stored new
   * credentials since. True when it was created or its data changed.
   */
  public boolean applyPullSecret(io.fabric8.kubernetes.api.model.Secret secret) {
    String name = secret.getMetadata().getName();
    try {
      io.fabric8.kubernetes.api.model.Secret now = client.secrets().inNamespace(namespace).withName(name).get();
      if (now != null && java.util.Objects.equals(now.getData(), secret.getData()) && java.util.Objects.equals(now.getType(), secret.getType())) {
        return false;
      }
      if (now == null) {
        client.resource(secret).inNamespace(namespace).create();
      } else {
        client.resource(secret).inNamespace(namespace).update();
      }
      return true;
    } catch (KubernetesClientException e) {
      throw KubeErrors.of("apply", "Secret " + namespace + "/" + name, e);
    }
  }

  /**
   * The node joins or leaves its fleet's Service (label {@value KubeObjects#IN_SERVICE}); out of
   * service it keeps running (quarantine, the old side of a blue/green switch). A Pod starts out
   * of service until herd's controller puts it in. One PATCH; false when herd has no such node.
   */
  @Override
  public boolean setInService(NodeRef node, boolean inService) {
    Optional<Pod> pod = herdPod(node);
    if (pod.isEmpty()) {
      return false;
    }
    String name = pod.get().getMetadata().getName();
    try {
      client.pods().inNamespace(namespace).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE),
          "{\"metadata\":{\"labels\":{\"" + KubeObjects.IN_SERVICE + "\":\"" + inService + "\"}}}");
    } catch (KubernetesClientException e) {
      throw KubeErrors.of("label", "Pod " + namespace + "/" + name, e);
    }
    return true;
  }

  @Override
  public List<NodeInfo> listNodes(String project) {
    return list(project, null);
  }

  @Override
  public List<NodeInfo> listNodes(String project, String fleet) {
    return list(project, fleet);
  }

  private List<NodeInfo> list(String project, String fleet) {
    var q = client.pods().inNamespace(namespace).withLabel(Labels.MANAGED, "true").withLabel(Labels.PROJECT, project);
    if (fleet != null) {
      q = q.withLabel(Labels.FLEET, fleet);
    }
    try {
      return q.list().getItems().stream().map(p -> toInfo(p, project)).filter(Objects::nonNull)
          .sorted(Comparator.comparing(NodeInfo::name)).toList();
    } catch (KubernetesClientException e) {
      throw KubeErrors.of("list", "Pods " + namespace, e);
    }
  }

  /** Pods without herd's labels named like a node or not: reported for drift only, never touched. */
  @Override
  public List<ForeignContainer> listForeign(Collection<String> namePrefixes, Collection<Integer> hostPorts) {
    if (namePrefixes.isEmpty() && hostPorts.isEmpty()) {
      return List.of();
    }
    try {
      return client.pods().inNamespace(namespace).withoutLabel(Labels.MANAGED).list().getItems().stream()
          .filter(p -> namePrefixes.stream().anyMatch(pre -> p.getMetadata().getName().startsWith(pre)))
          .map(p -> new ForeignContainer(p.getMetadata().getUid() == null ? p.getMetadata().getName() : p.getMetadata().getUid(),
              p.getMetadata().getName(), p.getSpec() == null || p.getSpec().getContainers().isEmpty() ? ""
                  : p.getSpec().getContainers().getFirst().getImage(),
              p.getStatus() == null || p.getStatus().getPhase() == null ? "" : p.getStatus().getPhase(), List.of()))
          .sorted(Comparator.comparing(ForeignContainer::name)).toList();
    } catch (KubernetesClientException e) {
      throw KubeErrors.of("list", "Pods " + namespace, e);
    }
  }

  @Override
  public Optional<NodeInfo> inspectNode(NodeRef node) {
    return herdPod(node).map(p -> toInfo(p, node.project()));
  }

  /**
   * The Pod's {@code Ready} condition, which the kubelet sets from the readiness probe the Pod
   * carries (the role's health check): true when it is {@code True}; false while it is absent
   * or not {@code True} (still starting, probe failing, exited); empty when herd has no such
   * Pod. herd's controller counts a cluster node healthy by this (it cannot reach a Pod from its host).
   */
  @Override
  public Optional<Boolean> ready(NodeRef node) {
    // the controller asks for every node at every probe interval: read the watch's cache when one
    // runs for the project (kept current by Pod status updates), ask the API server otherwise
    SharedIndexInformer<Pod> cache = podCaches.get(node.project());
    if (cache != null && cache.hasSynced()) {
      Pod p = cache.getStore().getByKey(namespace + "/" + node.containerName());
      return Optional.ofNullable(p).filter(x -> isHerds(x, node.project())).map(KubernetesEngine::podReady);
    }
    return herdPod(node).map(KubernetesEngine::podReady);
  }

  static boolean podReady(Pod p) {
    if (p.getMetadata().getDeletionTimestamp() != null || p.getStatus() == null || p.getStatus().getConditions() == null) {
      return false;
    }
    return p.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private Optional<Pod> herdPod(NodeRef node) {
    try {
      Pod p = client.pods().inNamespace(namespace).withName(node.containerName()).get();
      return p != null && isHerds(p, node.project()) && node.node().equals(p.getMetadata().getLabels().get(Labels.NODE))
          ? Optional.of(p) : Optional.empty();
    } catch (KubernetesClientException e) {
      throw KubeErrors.of("read", "Pod " + namespace + "/" + node.containerName(), e);
    }
  }

  private static boolean isHerds(Pod p, String project) {
    return Labels.isHerdNode(p.getMetadata().getLabels(), project);
  }

  /** What the Pod status says is wrong with a node: herd replaces such a node as on Podman. */
  public enum Drift { IMAGE, RESTARTED, TAMPER }

  /**
   * Drift a cluster reports in the Pod status: the container runs another image than the release
   * pins (its image ID's digest differs), it was restarted in place (herd never restarts a node),
   * or someone added an ephemeral container ({@code kubectl debug}). Empty for a node with none,
   * or when herd has no such node.
   */
  public java.util.EnumSet<Drift> drift(NodeRef node) {
    return herdPod(node).map(KubernetesEngine::driftOf).orElse(java.util.EnumSet.noneOf(Drift.class));
  }

  static java.util.EnumSet<Drift> driftOf(Pod p) {
    java.util.EnumSet<Drift> out = java.util.EnumSet.noneOf(Drift.class);
    String pinned = pinnedDigest(p).orElse(null);
    ContainerStatus cs = containerStatus(p);
    if (cs != null && cs.getImageID() != null && !cs.getImageID().isBlank() && pinned != null) {
      String id = cs.getImageID();
      String running = id.contains("@") ? id.substring(id.lastIndexOf('@') + 1) : id.replaceFirst("^[a-z-]+://", "");
      if (!running.equals(pinned)) {
        out.add(Drift.IMAGE);
      }
    }
    if (cs != null && cs.getRestartCount() != null && cs.getRestartCount() > 0) {
      out.add(Drift.RESTARTED);
    }
    if (p.getSpec() != null && p.getSpec().getEphemeralContainers() != null && !p.getSpec().getEphemeralContainers().isEmpty()) {
      out.add(Drift.TAMPER);
    }
    return out;
  }

  /** A cluster offers no filesystem diff of a container against its image. */
  @Override
  public List<FsChange> diff(NodeRef node) {
    throw new EngineFailure("kubernetes: cannot diff " + node + " against its image: the Kubernetes API has no such call"
        + " (drift on a cluster comes from the Pod status: image ID, restarts, ephemeral containers)");
  }

  /** herd makes no volumes on a cluster yet (see {@link #startNode}): there are none to list. */
  @Override
  public List<dev.herd.engine.VolumeInfo> listVolumes(String project) {
    return List.of();
  }

  @Override
  public boolean removeVolume(String project, String name) {
    return false;
  }

  @Override
  public void exportVolume(NodeRef node, String volume, java.io.OutputStream out) {
    throw new EngineFailure("kubernetes: " + node + " has no volume " + volume + ": fleet volumes are not built for clusters yet");
  }

  /** A restore copies its archive into the node; on a cluster that is pods/exec (tar), which herd does not ask RBAC for. */
  @Override
  public void copyFileIn(NodeRef node, String path, java.nio.file.Path source, dev.herd.engine.NodeSpec.RunAs owner) {
    throw new EngineFailure("kubernetes: cannot copy a file into " + node + ": herd does not use pods/exec on a cluster,"
        + " so backup.restore cannot run there");
  }

  /** Backups run commands in nodes; on a cluster that is pods/exec, which herd does not ask RBAC for. */
  @Override
  public dev.herd.engine.ExecResult exec(NodeRef node, List<String> command, java.io.OutputStream stdout) {
    throw new EngineFailure("kubernetes: cannot run a command in " + node
        + ": herd does not use pods/exec on a cluster (backups of stateful fleets run on local engines)");
  }

  /** A Pod's sockets live on a cluster node this host cannot see. */
  @Override
  public List<dev.herd.engine.Listener> listeners(NodeRef node) {
    throw new EngineFailure("kubernetes: cannot read the listening sockets of " + node
        + ": they are on a cluster node, not on this host (exposure drift is checked on local engines only)");
  }

  @Override
  public NodeStats stats(NodeRef node) {
    throw new EngineFailure("kubernetes: no stats for " + node + " yet (the metrics API is not read by herd)");
  }

  @Override
  public List<LogLine> logs(NodeRef node, Instant since) {
    Pod p = herdPod(node).orElse(null);
    if (p == null) {
      return List.of();
    }
    try {
      // no waiting for readiness: the log of a node that never got ready is the one worth reading
      var c = client.pods().inNamespace(namespace).withName(p.getMetadata().getName()).inContainer(KubeObjects.CONTAINER)
          .withReadyWaitTimeout(0);
      String text = since == null ? c.usingTimestamps().getLog() : c.usingTimestamps().sinceTime(since.toString()).getLog();
      List<LogLine> out = new ArrayList<>();
      if (text != null) {
        text.lines().map(KubernetesEngine::logLine).forEach(out::add);
      }
      return out;
    } catch (KubernetesClientException e) {
      throw KubeErrors.of("read the log of", "Pod " + namespace + "/" + p.getMetadata().getName(), e);
    }
  }

  /** {@code 2026-01-01T00:00:00.123456789Z text}: the API's timestamped lines. */
  static LogLine logLine(String line) {
    int sp = line.indexOf(' ');
    if (sp > 0) {
      try {
        return new LogLine(Instant.parse(line.substring(0, sp)), LogLine.Stream.STDOUT, line.substring(sp + 1));
      } catch (DateTimeParseException e) {
        // not a timestamp: keep the whole line
      }
    }
    return new LogLine(null, LogLine.Stream.STDOUT, line);
  }

  @Override
  public Subscription followLogs(NodeRef node, Instant since, Consumer<LogLine> sink) {
    Pod p = herdPod(node).orElseThrow(() -> new EngineFailure("kubernetes: no node " + node + " to follow"));
    var c = client.pods().inNamespace(namespace).withName(p.getMetadata().getName()).inContainer(KubeObjects.CONTAINER)
        .withReadyWaitTimeout(0);
    LogWatch watch = since == null ? c.usingTimestamps().watchLog() : c.usingTimestamps().sinceTime(since.toString()).watchLog();
    Thread reader = Thread.ofVirtual().name("herd-k8s-log-" + node.node()).start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          sink.accept(logLine(line));
        }
      } catch (IOException e) {
        log.debug("log of {} ended: {}", node, e.getMessage());
      }
    });
    return () -> {
      watch.close();
      reader.interrupt();
    };
  }

  /**
   * Node lifecycle from an informer on the project's Pods: one watch, with the client's relist on
   * a broken watch. Only notifies; {@code since} is not replayable on a cluster (a watch starts
   * from now; the informer's first list reports the Pods that exist as Created/Started).
   */
  @Override
  public Subscription events(String project, Instant since, Consumer<EngineEvent> sink) {
    PodEvents translator = new PodEvents(project, clock, sink);
    SharedIndexInformer<Pod> informer;
    try {
      informer = client.pods().inNamespace(namespace).withLabel(Labels.MANAGED, "true").withLabel(Labels.PROJECT, project)
          .inform(translator, 0);
    } catch (KubernetesClientException e) {
      throw KubeErrors.of("watch", "Pods " + namespace, e);
    }
    open.add(informer);
    podCaches.put(project, informer);
    return () -> {
      podCaches.remove(project, informer);
      informer.close();
      open.remove(informer);
    };
  }

  /** NodeInfo from a Pod: herd's labels and annotations, the container's state. */
  static NodeInfo toInfo(Pod p, String project) {
    Map<String, String> labels = new TreeMap<>();
    if (p.getMetadata().getLabels() != null) {
      labels.putAll(p.getMetadata().getLabels());
    }
    if (p.getMetadata().getAnnotations() != null) {
      KubeObjects.ANNOTATION_KEYS.forEach(k -> {
        String v = p.getMetadata().getAnnotations().get(k);
        if (v != null) {
          labels.put(k, v);
        }
      });
    }
    pinnedDigest(p).ifPresent(d -> labels.put(Labels.IMAGE, d));
    ContainerStatus cs = containerStatus(p);
    ContainerStateTerminated term = cs == null || cs.getState() == null ? null : cs.getState().getTerminated();
    Integer exit = term == null ? null : term.getExitCode();
    boolean oom = term != null && "OOMKilled".equals(term.getReason());
    Instant started = cs != null && cs.getState() != null && cs.getState().getRunning() != null
        ? time(cs.getState().getRunning().getStartedAt()) : term != null ? time(term.getStartedAt()) : null;
    Instant finished = term == null ? null : time(term.getFinishedAt());
    Map<String, String> env = new TreeMap<>();
    boolean readOnly = false;
    if (p.getSpec() != null && !p.getSpec().getContainers().isEmpty()) {
      var c = p.getSpec().getContainers().getFirst();
      if (c.getEnv() != null) {
        c.getEnv().forEach(e -> env.put(e.getName(), e.getValue() == null ? "" : e.getValue()));
      }
      readOnly = c.getSecurityContext() != null && Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem());
    }
    String id = p.getMetadata().getUid() != null ? p.getMetadata().getUid() : p.getMetadata().getName();
    return NodeInfo.fromLabels(id, project, labels, state(p, cs), exit, oom, readOnly,
        time(p.getMetadata().getCreationTimestamp()), started, finished, env);
  }

  /** The digest the Pod's container was created with: its image is {@code …@sha256:…}. */
  static Optional<String> pinnedDigest(Pod p) {
    if (p.getSpec() == null || p.getSpec().getContainers() == null || p.getSpec().getContainers().isEmpty()) {
      return Optional.empty();
    }
    String image = p.getSpec().getContainers().getFirst().getImage();
    int at = image == null ? -1 : image.lastIndexOf('@');
    return at < 0 ? Optional.empty() : Optional.of(image.substring(at + 1));
  }

  static ContainerStatus containerStatus(Pod p) {
    if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
      return null;
    }
    return p.getStatus().getContainerStatuses().stream().filter(c -> KubeObjects.CONTAINER.equals(c.getName()))
        .findFirst().orElse(null);
  }

  static NodeState state(Pod p, ContainerStatus cs) {
    if (p.getMetadata().getDeletionTimestamp() != null) {
      return NodeState.STOPPING;
    }
    if (cs != null && cs.getState() != null) {
      if (cs.getState().getTerminated() != null) {
        return NodeState.EXITED;
      }
      if (cs.getState().getRunning() != null) {
        return NodeState.RUNNING;
      }
    }
    String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
    if (phase == null) {
      return NodeState.CREATED;
    }
    return switch (phase) {
      case "Pending" -> NodeState.CREATED;
      case "Running" -> NodeState.RUNNING;
      case "Succeeded", "Failed" -> NodeState.EXITED;
      default -> NodeState.UNKNOWN;
    };
  }

  static Instant time(String s) {
    if (s == null || s.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Turns informer notifications into herd's engine events; handlers only notify. */
  static final class PodEvents implements ResourceEventHandler<Pod> {
    private final String project;
    private final Clock clock;
    private final Consumer<EngineEvent> sink;

    PodEvents(String project, Clock clock, Consumer<EngineEvent> sink) {
      this.project = project;
      this.clock = clock;
      this.sink = sink;
    }

    @Override
    public void onAdd(Pod pod) {
      NodeInfo n = toInfo(pod, project);
      if (n == null) {
        return;
      }
      sink.accept(new EngineEvent.Created(clock.instant(), n.ref(), n.id()));
      if (n.state() == NodeState.RUNNING) {
        sink.accept(new EngineEvent.Started(clock.instant(), n.ref(), n.id()));
      }
    }

    @Override
    public void onUpdate(Pod before, Pod after) {
      NodeInfo was = toInfo(before, project);
      NodeInfo now = toInfo(after, project);
      if (now == null) {
        return;
      }
      Instant t = clock.instant();
      if (was.state() != NodeState.RUNNING && now.state() == NodeState.RUNNING) {
        sink.accept(new EngineEvent.Started(t, now.ref(), now.id()));
      }
      if (was.state() != NodeState.EXITED && now.state() == NodeState.EXITED) {
        if (now.oomKilled()) {
          sink.accept(new EngineEvent.OutOfMemory(t, now.ref(), now.id()));
        }
        sink.accept(new EngineEvent.Died(t, now.ref(), now.id(), now.exitCode() == null ? -1 : now.exitCode()));
      }
      int restartsBefore = restarts(before);
      if (restarts(after) > restartsBefore) {
        sink.accept(new EngineEvent.Restarted(t, now.ref(), now.id()));
      }
      // kubectl debug adds an ephemeral container: someone got a shell in the node
      int ephBefore = ephemeral(before);
      if (ephemeral(after) > ephBefore) {
        sink.accept(new EngineEvent.Exec(t, now.ref(), now.id(), "ephemeral container (kubectl debug)"));
      }
    }

    @Override
    public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
      NodeInfo n = toInfo(pod, project);
      if (n == null) {
        return;
      }
      if (n.state() != NodeState.EXITED) {
        ContainerStatus cs = containerStatus(pod);
        sink.accept(new EngineEvent.Died(clock.instant(), n.ref(), n.id(), cs == null ? -1 : 0));
      }
      sink.accept(new EngineEvent.Removed(clock.instant(), n.ref(), n.id()));
    }

    private static int restarts(Pod p) {
      ContainerStatus cs = containerStatus(p);
      return cs == null || cs.getRestartCount() == null ? 0 : cs.getRestartCount();
    }

    private static int ephemeral(Pod p) {
      return p.getSpec() == null || p.getSpec().getEphemeralContainers() == null ? 0 : p.getSpec().getEphemeralContainers().size();
    }
  }

  @Override
  public void close() {
    for (AutoCloseable c : open) {
      try {
        c.close();
      } catch (Exception e) {
        log.debug("closing a watch: {}", e.getMessage());
      }
    }
    open.clear();
    client.close();
  }
}
