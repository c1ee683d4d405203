package dev.herd.engine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Everything the engine needs to run one node. Config travels in {@code env} and in the
 * read-only {@code configDir} mounted at {@value #CONFIG_MOUNT}; secrets never travel in env,
 * labels or argv: they are written as files (dir 0700, files 0400, both owned by {@code runAs})
 * on a host tmpfs and mounted read-only at {@value #SECRETS_MOUNT}.
 *
 * @param configDir host directory mounted read-only at /etc/herd, or null for none
 * @param runAs the uid/gid the node's process runs as (the image's user), which its secrets
 *     belong to; null for root
 * @param memoryBytes memory limit, 0 for none
 * @param cpus CPU limit in cores (0.5 = half a core), 0 for none
 * @param volumes named volumes mounted read-write (the engine creates each, labelled, when it
 *     is missing; {@link VolumeInfo#engineName} names them per node)
 */
public record NodeSpec(
    String project,
    String fleet,
    String node,
    long generation,
    String releaseId,
    String imageDigest,
    List<String> command,
    Map<String, String> env,
    boolean readOnlyRoot,
    List<String> writablePaths,
    Path configDir,
    Map<String, byte[]> secrets,
    int port,
    long memoryBytes,
    double cpus,
    RunAs runAs,
    List<Volume> volumes) {

  /**
   * A named volume, mounted read-write at {@code path}. {@code owner} is the node name the volume
   * belongs to across generations (the slot, e.g. db-1, while the engine's node is db-1-g3).
   */
  public record Volume(String owner, String name, String path) {
    public Volume {
      Names.name("volume owner", owner);
      Names.name("volume", name);
      checkMountPath("volume path", path);
    }
  }

  /** A numeric user and group, as the image's {@code User} resolves in its /etc/passwd and /etc/group. */
  public record RunAs(int uid, int gid) {
    public static final RunAs ROOT = new RunAs(0, 0);

    public RunAs {
      if (uid < 0 || gid < 0) {
        throw new IllegalArgumentException("uid and gid must be >= 0, got " + uid + ":" + gid);
      }
    }

    @Override
    public String toString() {
      return uid + ":" + gid;
    }
  }

  public static final String CONFIG_MOUNT = "/etc/herd";
  public static final String SECRETS_MOUNT = "/run/secrets";
  /** The env var carrying the herd-assigned port; set by the engine, not by callers. */
  public static final String PORT_ENV = "PORT";
  /** The env var carrying the address a node listens on; set by the engine, not by callers. */
  public static final String HOST_ENV = "HOST";
  /**
   * The address a node listens on: nodes share the host's network (no port publishing), so a
   * node bound here is reachable only from this host, i.e. through the front door.
   */
  public static final String HOST = dev.herd.common.net.NodeHost.ADDRESS;

  private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
  private static final Pattern RELEASE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
  /** Shorter secret values would match env values by accident. */
  private static final int MIN_LEAK_CHECK = 6;

  public NodeSpec {
    Names.name("project", project);
    Names.name("fleet", fleet);
    Names.name("node", node);
    if (generation < 1) {
      throw new IllegalArgumentException("generation must be >= 1, got " + generation);
    }
    if (releaseId == null || !RELEASE.matcher(releaseId).matches()) {
      throw new IllegalArgumentException("release id must be 1-128 of [A-Za-z0-9._:-], got: " + releaseId);
    }
    Names.digest("image digest", imageDigest);
    command = List.copyOf(Objects.requireNonNull(command, "command"));
    env = Map.copyOf(new TreeMap<>(Objects.requireNonNull(env, "env")));
    for (String key : env.keySet()) {
      if (!ENV_KEY.matcher(key).matches()) {
        throw new IllegalArgumentException("env name is not a valid variable name: " + key);
      }
      if (key.equals(PORT_ENV) || key.equals(HOST_ENV)) {
        throw new IllegalArgumentException("env must not set " + key + ": the engine sets " + PORT_ENV + " and " + HOST_ENV);
      }
    }
    writablePaths = List.copyOf(Objects.requireNonNull(writablePaths, "writablePaths"));
    for (String p : writablePaths) {
      checkWritablePath(p);
    }
    if (configDir != null && !configDir.isAbsolute()) {
      throw new IllegalArgumentException("config dir must be an absolute host path, got: " + configDir);
    }
    Map<String, byte[]> copied = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> e : new TreeMap<>(Objects.requireNonNull(secrets, "secrets")).entrySet()) {
      String name = e.getKey();
      if (!SECRET_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
        throw new IllegalArgumentException("secret name must be a plain file name, got: " + name);
      }
      copied.put(name, Objects.requireNonNull(e.getValue(), "secret " + name).clone());
    }
    secrets = java.util.Collections.unmodifiableMap(copied);
    checkNoSecretInEnv(env, secrets);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1-65535, got " + port);
    }
    if (memoryBytes < 0) {
      throw new IllegalArgumentException("memory limit must be >= 0, got " + memoryBytes);
    }
    if (cpus < 0 || Double.isNaN(cpus)) {
      throw new IllegalArgumentException("cpu limit must be >= 0, got " + cpus);
    }
    if (runAs == null) {
      runAs = RunAs.ROOT;
    }
    volumes = List.copyOf(Objects.requireNonNull(volumes, "volumes"));
    for (int i = 0; i < volumes.size(); i++) {
      Volume v = volumes.get(i);
      for (String w : writablePaths) {
        if (overlap(v.path(), w)) {
          throw new IllegalArgumentException("volume " + v.name() + " at " + v.path() + " overlaps writable path " + w);
        }
      }
      for (int j = 0; j < i; j++) {
        if (volumes.get(j).name().equals(v.name()) || overlap(volumes.get(j).path(), v.path())) {
          throw new IllegalArgumentException("volumes " + volumes.get(j).name() + " and " + v.name() + " overlap");
        }
      }
    }
  }

  /** The engine's name of one of this node's volumes. */
  public String volumeName(Volume v) {
    return VolumeInfo.engineName(project, fleet, v.owner(), v.name());
  }

  private static boolean overlap(String a, String b) {
    return a.equals(b) || a.startsWith(b + "/") || b.startsWith(a + "/");
  }

  public NodeRef ref() {
    return new NodeRef(project, node);
  }

  /** The secret's bytes (a copy: the caller may wipe it). */
  public byte[] secret(String name) {
    byte[] v = secrets.get(name);
    return v == null ? null : v.clone();
  }

  /** The labels the node's container carries. */
  public Map<String, String> labels() {
    Map<String, String> l = new TreeMap<>();
    l.put(Labels.MANAGED, "true");
    l.put(Labels.PROJECT, project);
    l.put(Labels.FLEET, fleet);
    l.put(Labels.NODE, node);
    l.put(Labels.GENERATION, Long.toString(generation));
    l.put(Labels.RELEASE, releaseId);
    l.put(Labels.IMAGE, imageDigest);
    l.put(Labels.PORT, Integer.toString(port));
    return l;
  }

  /** The environment the process sees: config env plus PORT and HOST. */
  public Map<String, String> effectiveEnv() {
    Map<String, String> e = new TreeMap<>(env);
    e.put(PORT_ENV, Integer.toString(port));
    e.put(HOST_ENV, HOST);
    return e;
  }

  /** Secret values stay out of toString (and so out of logs and assertion messages). */
  @Override
  public String toString() {
    return "NodeSpec[" + project + "/" + node + " fleet=" + fleet + " gen=" + generation
        + " release=" + releaseId + " image=" + imageDigest + " port=" + port + " user=" + runAs
        + " secrets=" + secrets.keySet() + (volumes.isEmpty() ? "" : " volumes=" + volumes) + "]";
  }

  private static void checkWritablePath(String p) {
    checkMountPath("writable path", p);
  }

  private static void checkMountPath(String what, String p) {
    if (p == null || !p.startsWith("/") || p.equals("/") || !Path.of(p).normalize().toString().equals(p)) {
      throw new IllegalArgumentException(what + " must be an absolute, normalized path other than /, got: " + p);
    }
    for (String reserved : List.of(CONFIG_MOUNT, SECRETS_MOUNT)) {
      if (overlap(p, reserved)) {
        throw new IllegalArgumentException(what + " " + p + " overlaps herd's mount " + reserved);
      }
    }
  }

  private static void checkNoSecretInEnv(Map<String, String> env, Map<String, byte[]> secrets) {
    for (Map.Entry<String, byte[]> s : secrets.entrySet()) {
      if (s.getValue().length < MIN_LEAK_CHECK) {
        continue;
      }
      String value = new String(s.getValue(), StandardCharsets.UTF_8);
      for (Map.Entry<String, String> e : env.entrySet()) {
        if (e.getValue().contains(value)) {
          throw new IllegalArgumentException(
              "env " + e.getKey() + " contains the value of secret " + s.getKey() + ": secrets go to /run/secrets only");
        }
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this spec's values, e.g. for the next generation of a node. */
  public Builder toBuilder() {
    return builder().project(project).fleet(fleet).node(node).generation(generation)
        .releaseId(releaseId).imageDigest(imageDigest).command(command).env(env)
        .readOnlyRoot(readOnlyRoot).writablePaths(writablePaths).configDir(configDir)
        .secrets(secrets).port(port).memoryBytes(memoryBytes).cpus(cpus).runAs(runAs).volumes(volumes);
  }

  /** Builder with herd's defaults: read-only root, no limits, no config dir, no secrets. */
  public static final class Builder {
    private String project;
    private String fleet;
    private String node;
    private long generation = 1;
    private String releaseId;
    private String imageDigest;
    private List<String> command = new ArrayList<>();
    private Map<String, String> env = new TreeMap<>();
    private boolean readOnlyRoot = true;
    private List<String> writablePaths = new ArrayList<>();
    private Path configDir;
    private Map<String, byte[]> secrets = new TreeMap<>();
    private int port;
    private long memoryBytes;
    private double cpus;
    private RunAs runAs = RunAs.ROOT;
    private List<Volume> volumes = new ArrayList<>();

    private Builder() {}

    public Builder project(String v) { project = v; return this; }
    public Builder fleet(String v) { fleet = v; return this; }
    public Builder node(String v) { node = v; return this; }
    public Builder generation(long v) { generation = v; return this; }
    public Builder releaseId(String v) { releaseId = v; return this; }
    public Builder imageDigest(String v) { imageDigest = v; return this; }
    public Builder command(List<String> v) { command = new ArrayList<>(v); return this; }
    public Builder command(String... v) { return command(List.of(v)); }
    public Builder env(String key, String value) { env.put(key, value); return this; }
    public Builder env(Map<String, String> v) { env = new TreeMap<>(v); return this; }
    public Builder readOnlyRoot(boolean v) { readOnlyRoot = v; return this; }
    public Builder writablePath(String v) { writablePaths.add(v); return this; }
    public Builder writablePaths(List<String> v) { writablePaths = new ArrayList<>(v); return this; }
    public Builder configDir(Path v) { configDir = v; return this; }
    public Builder secret(String name, byte[] value) { secrets.put(name, value); return this; }
    public Builder secrets(Map<String, byte[]> v) { secrets = new TreeMap<>(v); return this; }
    public Builder port(int v) { port = v; return this; }
    public Builder memoryBytes(long v) { memoryBytes = v; return this; }
    public Builder cpus(double v) { cpus = v; return this; }
    public Builder runAs(RunAs v) { runAs = v; return this; }
    /** A volume of the node's own name (see {@link Volume#owner}). */
    public Builder volume(String name, String path) { volumes.add(new Volume(node, name, path)); return this; }
    public Builder volume(String owner, String name, String path) { volumes.add(new Volume(owner, name, path)); return this; }
    public Builder volumes(List<Volume> v) { volumes = new ArrayList<>(v); return this; }

    public NodeSpec build() {
      return new NodeSpec(project, fleet, node, generation, releaseId, imageDigest, command, env,
          readOnlyRoot, writablePaths, configDir, secrets, port, memoryBytes, cpus, runAs, volumes);
    }
  }
}
