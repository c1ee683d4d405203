package dev.herd.kube;

import dev.herd.engine.Labels;
import dev.herd.engine.NodeSpec;
import dev.herd.spec.Fleet;
import dev.herd.spec.Health;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The objects a fleet is on a cluster, built from herd's nodes: one Pod per node generation
 * (named like its local container, {@code <project>-web-3-g2}), its config as an immutable
 * ConfigMap and its secrets as an immutable Secret, both named by a hash so a change is a new
 * object and a running Pod never sees its files change under it, and a Service per exposed fleet
 * that selects only the nodes herd marks in service. Pure: no cluster, no I/O.
 */
public final class KubeObjects {
  /**
   * What {@code ${HOST}} and env {@code HOST} are in a Pod: every address of the Pod's own network
   * namespace. On one machine nodes share the host's network and bind loopback; a Pod is reached
   * on its Pod IP, by the kubelet's probes and through its fleet's Service.
   */
  public static final String POD_HOST = "0.0.0.0";

  /**
   * Selectable facts are labels; the release id may hold ':', which label values cannot, so it is an
   * annotation. The image digest is not repeated: the container's image names it ({@code …@sha256:…}),
   * and Podman's kube play refuses annotation values over 63 characters.
   */
  public static final String IN_SERVICE = "herd.in-service";
  public static final List<String> LABEL_KEYS = List.of(Labels.MANAGED, Labels.PROJECT, Labels.FLEET, Labels.NODE, Labels.GENERATION);
  public static final List<String> ANNOTATION_KEYS = List.of(Labels.RELEASE, Labels.PORT);
  /** Says which objects herd printed with their secret values left out. */
  public static final String REDACTED = "herd.redacted";
  static final String CONTAINER = "node";
  /**
   * The port every node listens on ($PORT) on a cluster: each Pod has its own address, so nodes
   * need no distinct host ports there as they do on one machine.
   */
  public static final int NODE_PORT = 8080;
  /** What a read-only root gets on Podman by itself (and herd adds on Docker): the same node on a cluster too. */
  static final List<String> READ_ONLY_ROOT_SCRATCH = List.of("/run", "/tmp", "/var/tmp");
  /** The order objects are applied in: what a Pod mounts exists before it. */
  private static final List<String> KIND_ORDER = List.of("ConfigMap", "Secret", "Pod", "Service");

  private KubeObjects() {}

  /** Everything for these nodes and the Services of their exposed fleets, in apply order. */
  public static List<HasMetadata> forNodes(String namespace, List<KubeNode> nodes, Map<String, Fleet.Expose> exposed) {
    return forNodes(namespace, nodes, exposed, List.of());
  }

  /** The same with {@code extra} objects (image pull Secrets) in their place of the apply order. */
  public static List<HasMetadata> forNodes(String namespace, List<KubeNode> nodes, Map<String, Fleet.Expose> exposed,
      List<HasMetadata> extra) {
    Map<String, HasMetadata> byKey = new TreeMap<>();
    extra.forEach(h -> byKey.put(key(h), h));
    for (KubeNode n : nodes) {
      configMap(namespace, n).ifPresent(c -> byKey.putIfAbsent(key(c), c));
      secret(namespace, n).ifPresent(s -> byKey.putIfAbsent(key(s), s));
      Pod p = pod(namespace, n);
      if (byKey.putIfAbsent(key(p), p) != null) {
        throw new IllegalArgumentException("two nodes named " + p.getMetadata().getName());
      }
    }
    nodes.stream().map(n -> n.spec()).map(s -> s.project() + "/" + s.fleet()).distinct().forEach(pf -> {
      String[] parts = pf.split("/");
      Fleet.Expose x = exposed.get(parts[1]);
      if (x != null) {
        int port = nodes.stream().filter(n -> n.spec().fleet().equals(parts[1])).findFirst().orElseThrow().spec().port();
        Service s = service(namespace, parts[0], parts[1], x, port);
        byKey.put(key(s), s);
      }
    });
    List<HasMetadata> out = new ArrayList<>(byKey.values());
    out.sort(Comparator.comparingInt((HasMetadata h) -> KIND_ORDER.indexOf(h.getKind()))
        .thenComparing(h -> h.getMetadata().getName(), KubeObjects::naturalOrder));
    return out;
  }

  private static String key(HasMetadata h) {
    return h.getKind() + "/" + h.getMetadata().getName();
  }

  /** web-2 before web-10. */
  static int naturalOrder(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char x = a.charAt(i);
      char y = b.charAt(j);
      if (Character.isDigit(x) && Character.isDigit(y)) {
        int si = i;
        int sj = j;
        while (i < a.length() && Character.isDigit(a.charAt(i))) i++;
        while (j < b.length() && Character.isDigit(b.charAt(j))) j++;
        int c = new java.math.BigInteger(a.substring(si, i)).compareTo(new java.math.BigInteger(b.substring(sj, j)));
        if (c != 0) {
          return c;
        }
      } else {
        if (x != y) {
          return Character.compare(x, y);
        }
        i++;
        j++;
      }
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  /** Labels of the node's Pod: herd's selectable labels and whether the Service may pick it. */
  public static Map<String, String> podLabels(NodeSpec spec, boolean inService) {
    Map<String, String> l = new TreeMap<>();
    Map<String, String> all = spec.labels();
    LABEL_KEYS.forEach(k -> l.put(k, all.get(k)));
    l.put(IN_SERVICE, Boolean.toString(inService));
    return l;
  }

  public static Map<String, String> podAnnotations(NodeSpec spec) {
    Map<String, String> a = new TreeMap<>();
    Map<String, String> all = spec.labels();
    ANNOTATION_KEYS.forEach(k -> a.put(k, all.get(k)));
    return a;
  }

  private static Map<String, String> fleetLabels(String project, String fleet) {
    Map<String, String> l = new TreeMap<>();
    l.put(Labels.MANAGED, "true");
    l.put(Labels.PROJECT, project);
    l.put(Labels.FLEET, fleet);
    return l;
  }

  /** The ConfigMap of the node's /etc/herd, named by the hash of its files; empty when it has none. */
  public static Optional<ConfigMap> configMap(String namespace, KubeNode n) {
    if (n.configFiles().isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> binary = new TreeMap<>();
    n.configFiles().forEach((k, v) -> binary.put(k, Base64.getEncoder().encodeToString(v)));
    String name = configMapName(n);
    return Optional.of(new ConfigMapBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace)
        .withLabels(fleetLabels(n.spec().project(), n.spec().fleet())).endMetadata()
        .withImmutable(true)
        .withBinaryData(binary)
        .build());
  }

  static String configMapName(KubeNode n) {
    MessageDigest d = sha256();
    n.configFiles().forEach((k, v) -> {
      d.update(k.getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0);
      d.update(Long.toString(v.length).getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0);
      d.update(v);
    });
    return n.spec().project() + "-" + n.spec().fleet() + "-config-" + HexFormat.of().formatHex(d.digest()).substring(0, 10);
  }

  /**
   * The node's Secret. Its name hashes the release and the secret names, not the values: a name is
   * visible to anyone who may list Secrets, and a hash of a short password is a way to guess it.
   * A release pins the secret revisions, so new values are a new release, a new generation and a
   * new name all the same.
   */
  public static Optional<Secret> secret(String namespace, KubeNode n) {
    NodeSpec s = n.spec();
    if (s.secrets().isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> data = new TreeMap<>();
    s.secrets().keySet().forEach(k -> data.put(k, Base64.getEncoder().encodeToString(s.secret(k))));
    return Optional.of(new SecretBuilder()
        .withNewMetadata().withName(secretName(s)).withNamespace(namespace)
        .withLabels(fleetLabels(s.project(), s.fleet())).endMetadata()
        .withType("Opaque")
        .withImmutable(true)
        .withData(data)
        .build());
  }

  static String secretName(NodeSpec s) {
    MessageDigest d = sha256();
    d.update((s.releaseId() + "\0" + String.join("\0", s.secrets().keySet())).getBytes(StandardCharsets.UTF_8));
    return s.ref().containerName() + "-secrets-" + HexFormat.of().formatHex(d.digest()).substring(0, 10);
  }

  /** The node's Pod: one container, never restarted in place (herd replaces a node, it does not repair it). */
  public static Pod pod(String namespace, KubeNode n) {
    NodeSpec s = n.spec();
    List<Volume> volumes = new ArrayList<>();
    List<VolumeMount> mounts = new ArrayList<>();
    Map<String, String> scratch = new LinkedHashMap<>();
    if (s.readOnlyRoot()) {
      READ_ONLY_ROOT_SCRATCH.forEach(p -> scratch.put(p, "scratch-" + slug(p)));
    }
    for (int i = 0; i < s.writablePaths().size(); i++) {
      String p = s.writablePaths().get(i);
      scratch.put(p, "writable-" + (i + 1) + "-" + slug(p)); // the index keeps /a-b and /a/b apart
    }
    scratch.forEach((path, vol) -> {
      volumes.add(new VolumeBuilder().withName(vol).withNewEmptyDir().withMedium("Memory").endEmptyDir().build());
      mounts.add(new VolumeMountBuilder().withName(vol).withMountPath(path).build());
    });
    configMap(namespace, n).ifPresent(c -> {
      volumes.add(new VolumeBuilder().withName("herd-config").withNewConfigMap().withName(c.getMetadata().getName())
          .withDefaultMode(0444).withOptional(false).endConfigMap().build());
      mounts.add(new VolumeMountBuilder().withName("herd-config").withMountPath(NodeSpec.CONFIG_MOUNT).withReadOnly(true).build());
    });
    // optional: false is the default, written out: a node never starts without its files (and
    // Podman 4.3's kube play fails on a secret volume that leaves it unset)
    if (!s.secrets().isEmpty()) {
      // 0440 with fsGroup = the node's gid: its user reads them, no other user does
      volumes.add(new VolumeBuilder().withName("herd-secrets").withNewSecret().withSecretName(secretName(s))
          .withDefaultMode(0440).withOptional(false).endSecret().build());
      mounts.add(new VolumeMountBuilder().withName("herd-secrets").withMountPath(NodeSpec.SECRETS_MOUNT).withReadOnly(true).build());
    }
    List<EnvVar> env = new ArrayList<>();
    s.effectiveEnv().forEach((k, v) -> env.add(new EnvVar(k, k.equals(NodeSpec.HOST_ENV) ? POD_HOST : v, null)));

    ContainerBuilder c = new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(n.image())
        .withImagePullPolicy("IfNotPresent")
        .withEnv(env)
        .addNewPort().withName("node").withContainerPort(s.port()).withProtocol("TCP").endPort()
        .withVolumeMounts(mounts)
        .withNewSecurityContext()
          .withReadOnlyRootFilesystem(s.readOnlyRoot())
          .withRunAsUser((long) s.runAs().uid())
          .withRunAsGroup((long) s.runAs().gid())
          .withRunAsNonRoot(s.runAs().uid() != 0 ? true : null)
          .withAllowPrivilegeEscalation(false)
        .endSecurityContext();
    if (!s.command().isEmpty()) {
      c.withArgs(s.command()); // like the local engine's Cmd: the image's entrypoint, if any, stays
    }
    Map<String, Quantity> limits = new TreeMap<>();
    if (s.memoryBytes() > 0) {
      limits.put("memory", new Quantity(Long.toString(s.memoryBytes())));
    }
    if (s.cpus() > 0) {
      limits.put("cpu", new Quantity(Math.max(1, Math.round(s.cpus() * 1000)) + "m"));
    }
    if (!limits.isEmpty()) {
      c.withNewResources().withLimits(limits).withRequests(limits).endResources();
    }
    n.health().ifPresent(h -> c.withReadinessProbe(probe(h, s.port(), false)).withLivenessProbe(probe(h, s.port(), true)));
    Container container = c.build();

    PodBuilder p = new PodBuilder()
        .withNewMetadata().withName(s.ref().containerName()).withNamespace(namespace)
        .withLabels(podLabels(s, n.inService())).withAnnotations(podAnnotations(s)).endMetadata()
        .withNewSpec()
          .withRestartPolicy("Never")
          .withEnableServiceLinks(false)
          .withAutomountServiceAccountToken(false)
          .withNewSecurityContext().withFsGroup(s.secrets().isEmpty() ? null : (long) s.runAs().gid()).endSecurityContext()
          .withContainers(container)
          .withVolumes(volumes)
        .endSpec();
    n.pullSecret().ifPresent(ps -> p.editSpec().withImagePullSecrets(new LocalObjectReference(ps)).endSpec());
    return p.build();
  }

  /**
   * herd's health check as a probe. Readiness decides traffic; liveness waits the role's start
   * grace first. A failed liveness probe makes the kubelet kill the container, and with restart
   * policy Never the Pod then fails: herd sees it and replaces the node, as it does locally.
   */
  static Probe probe(Health h, int port, boolean liveness) {
    ProbeBuilder b = new ProbeBuilder()
        .withPeriodSeconds(seconds(h.interval()))
        .withTimeoutSeconds(seconds(h.timeout()))
        .withFailureThreshold(h.failureThreshold())
        .withInitialDelaySeconds(liveness && h.startGrace().toSeconds() > 0 ? (int) h.startGrace().toSeconds() : null);
    switch (h.check()) {
      case Health.Http http -> b.withNewHttpGet().withPath(http.path()).withPort(new IntOrString(port)).endHttpGet();
      case Health.Tcp tcp -> b.withNewTcpSocket().withPort(new IntOrString(port)).endTcpSocket();
      case Health.Command cmd -> b.withNewExec().withCommand(cmd.command()).endExec();
    }
    return b.build();
  }

  private static int seconds(java.time.Duration d) {
    return (int) Math.max(1, (d.toMillis() + 999) / 1000);
  }

  /** The exposed fleet's Service: only nodes herd marks in service get traffic. */
  public static Service service(String namespace, String project, String fleet, Fleet.Expose expose, int nodePort) {
    Map<String, String> selector = fleetLabels(project, fleet);
    selector.put(IN_SERVICE, "true");
    return new ServiceBuilder()
        .withNewMetadata().withName(serviceName(project, fleet)).withNamespace(namespace)
        .withLabels(fleetLabels(project, fleet)).endMetadata()
        .withNewSpec()
          .withType("ClusterIP")
          .withSelector(selector)
          .addNewPort().withName(expose.protocol() == Fleet.Protocol.HTTP ? "http" : "tcp").withProtocol("TCP")
            .withPort(expose.port()).withTargetPort(new IntOrString(nodePort)).endPort()
        .endSpec()
        .build();
  }

  /** The Secret a cluster pulls herd's images with: the registry's credentials as a docker config. */
  public static Secret pullSecret(String namespace, String project, String registry, String host, String user, byte[] password) {
    String auth = Base64.getEncoder().encodeToString(concat((user + ":").getBytes(StandardCharsets.UTF_8), password));
    String json = "{\"auths\":{" + jsonString(host) + ":{\"auth\":\"" + auth + "\"}}}";
    Map<String, String> labels = new TreeMap<>();
    labels.put(Labels.MANAGED, "true");
    labels.put(Labels.PROJECT, project);
    return new SecretBuilder()
        .withNewMetadata().withName(pullSecretName(project, registry)).withNamespace(namespace).withLabels(labels).endMetadata()
        .withType("kubernetes.io/dockerconfigjson")
        .withData(Map.of(".dockerconfigjson", Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))))
        .build();
  }

  public static String pullSecretName(String project, String registry) {
    return project + "-registry-" + registry;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static String jsonString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  public static String serviceName(String project, String fleet) {
    return project + "-" + fleet;
  }

  private static String slug(String path) {
    String s = path.substring(1).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    return s.isEmpty() ? "root" : s.length() > 40 ? s.substring(0, 40).replaceAll("-$", "") : s;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
