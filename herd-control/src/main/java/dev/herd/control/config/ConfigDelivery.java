package dev.herd.control.config;

import dev.herd.config.ConfigValue;
import dev.herd.config.ConfigWatch;
import dev.herd.config.Discovery;
import dev.herd.config.EffectiveConfig;
import dev.herd.config.Endpoint;
import dev.herd.config.FlagSet;
import dev.herd.config.HerdConfig;
import dev.herd.config.NodeFacts;
import dev.herd.config.NodeFiles;
import dev.herd.config.NodeIdentity;
import dev.herd.config.NodeToken;
import dev.herd.config.Scope;
import dev.herd.control.Controller;
import dev.herd.control.DesiredState;
import dev.herd.control.FleetDesired;
import dev.herd.control.NodeConfig;
import dev.herd.control.ReleaseInfo;
import dev.herd.control.state.Release;
import dev.herd.control.state.ReleaseSpec;
import dev.herd.control.state.RoleRuntime;
import dev.herd.engine.Engine;
import dev.herd.engine.NodeRef;
import dev.herd.engine.NodeSpec;
import dev.herd.common.files.PrivateFiles;
import dev.herd.spec.Fleet;
import dev.herd.spec.Role;
import dev.herd.spec.Spec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the config service to nodes (docs/config.md): pins config and secret revisions in
 * releases, gives each node its env, {@code /etc/herd} and {@code /run/secrets} at launch, keeps
 * discovery of healthy endpoints, and reacts to changes:
 *
 * <ul>
 *   <li>config of a fleet with {@code on_config_change: rolling}: a new release, rolled out;
 *   <li>{@code reload}: the nodes' files are re-rendered and the role's reload signal is sent;
 *   <li>{@code none}: nothing; nodes started later get it;
 *   <li>a secret: a new release (secrets are files given at launch only);
 *   <li>flags and discovery: every node of the environment gets new files, no release.
 * </ul>
 *
 * Nodes are registered by their engine name (one directory per generation, so the old and the new
 * generation of a name never share files during a rollout).
 */
public final class ConfigDelivery implements NodeConfig, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfigDelivery.class);
  /** At most this many nodes are rendered or signalled at once (engine connections, disk). */
  static final int PARALLELISM = 16;

  private final HerdConfig cfg;
  private final Engine engine;
  private final String project;
  private final Clock clock;
  private volatile Spec spec;
  private volatile Controller controller;
  private volatile String watchUrl;
  /** fleet → engine name → node. Guarded by this. */
  private final Map<String, Map<String, NodeState>> nodes = new HashMap<>();
  /** environment → fleet → serving endpoints. Guarded by this. */
  private final Map<String, Map<String, List<Endpoint>>> endpoints = new HashMap<>();
  private final Map<String, Discovery> discovery = new HashMap<>();
  private final List<ConfigWatch.Subscription> subscriptions = new ArrayList<>();

  /** What herd knows of one live node: enough to render its files again. */
  /** @param owner who the node's files belong to (its process's uid/gid); null: keep the directory's owner (an adopted node) */
  private record NodeState(String fleet, String engineName, String slot, int port, String releaseId, EffectiveConfig config,
      PrivateFiles.Owner owner) {}

  public ConfigDelivery(HerdConfig cfg, Engine engine, String project, Clock clock) {
    this.cfg = Objects.requireNonNull(cfg, "cfg");
    this.engine = Objects.requireNonNull(engine, "engine");
    this.project = Objects.requireNonNull(project, "project");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The controller new releases go to (config and secret changes). */
  public void attach(Controller c) {
    this.controller = c;
  }

  /** The node watch API's URL, given to nodes as HERD_WATCH_URL. */
  public void watchUrl(String url) {
    this.watchUrl = url;
  }

  public HerdConfig config() {
    return cfg;
  }

  /** The spec last applied (validates environments and roles of config changes), or empty before the first. */
  public Optional<Spec> spec() {
    return Optional.ofNullable(spec);
  }

  /**
   * Makes {@code s} the spec in force and listens to config of every (environment, role) its
   * fleets run and to flags of their environments.
   */
  public synchronized void spec(Spec s) {
    this.spec = Objects.requireNonNull(s, "spec");
    subscriptions.forEach(ConfigWatch.Subscription::close);
    subscriptions.clear();
    TreeSet<String> envs = new TreeSet<>();
    TreeSet<String> scopes = new TreeSet<>();
    for (Fleet f : s.fleets().values()) {
      envs.add(f.environment());
      if (scopes.add(f.environment() + "/" + f.role())) {
        ConfigWatch.Topic topic = ConfigWatch.Topic.config(f.environment(), f.role());
        // the watch learns a topic's revision when first asked; ask now, or the first change
        // after this would look like the revision it already has and never be published
        cfg.watch().revision(topic);
        subscriptions.add(cfg.watch().subscribe(topic, c -> configChanged(topic, c.revision())));
      }
    }
    for (String env : envs) {
      subscriptions.add(cfg.watch().subscribe(ConfigWatch.Topic.flags(env), c -> flagsChanged(env)));
    }
  }

  /**
   * The desired state with what each fleet's release pins from the config service: the secret
   * revisions, and for {@code on_config_change: rolling} the config revision and its effective
   * config as env. Fleets with reload or none pin herd.yaml's config only: their nodes follow the
   * live config through /etc/herd, and a release must not change under them when it changes.
   * Call {@link #spec(Spec)} too when the desired state is applied.
   */
  public DesiredState pin(Spec s, DesiredState desired) {
    Map<String, FleetDesired> out = new TreeMap<>();
    for (FleetDesired fd : desired.fleets().values()) {
      Fleet f = s.fleet(fd.name());
      FleetDesired pinned = fd.withSecretRevisions(cfg.secrets().revisions(s, f.environment(), f.role()));
      if (f.onConfigChange() == Fleet.OnConfigChange.ROLLING) {
        EffectiveConfig e = cfg.config().list(s, f.environment(), f.role());
        pinned = pinned.withConfig(e.revision(), e.asMap());
      }
      out.put(fd.name(), pinned);
    }
    return new DesiredState(desired.project(), desired.ports(), out);
  }

  /** A secret of (env, role) changed: every fleet of that scope gets a new release pinning the new revisions. */
  public List<String> secretsChanged(String env, String role) {
    Spec s = requireSpec();
    Map<String, Long> revisions = cfg.secrets().revisions(s, env, role);
    List<String> released = new ArrayList<>();
    for (Fleet f : fleetsOf(s, env, role)) {
      controller().rerelease(f.name(), r -> new ReleaseSpec(r.imageDigest(), r.configRevision(), revisions, r.runtime()),
          "secrets of " + env + "/" + role + " changed").ifPresent(released::add);
    }
    return released;
  }

  /** {@code HERD_<FLEET>_URL}: the fleet's front door, e.g. {@code http://127.0.0.1:8080}. */
  static String frontDoorEnv(String fleet) {
    return "HERD_" + fleet.toUpperCase().replace('-', '_') + "_URL";
  }

  /** The front doors of the exposed fleets of {@code env} (none before a spec is applied). */
  private static Map<String, String> frontDoors(Spec s, String env) {
    Map<String, String> out = new TreeMap<>();
    if (s != null) {
      s.fleets().values().stream().filter(f -> f.environment().equals(env))
          .forEach(f -> f.expose().ifPresent(x -> out.put(f.name(), frontDoorUrl(x))));
    }
    return out;
  }

  static String frontDoorUrl(Fleet.Expose e) {
    // A wildcard bind is reached on loopback from the host's own nodes.
    String host = e.bind().equals("0.0.0.0") ? "127.0.0.1" : e.bind().equals("::") ? "[::1]" : e.address().substring(0, e.address().lastIndexOf(':'));
    return (e.protocol() == Fleet.Protocol.HTTP ? "http://" : "tcp://") + host + ":" + e.port();
  }

  // ---- NodeConfig ----------------------------------------------------------------------------

  @Override
  public NodeSpec prepare(NodeSpec base, Launch launch) {
    Spec s = requireSpec();
    Fleet fleet = s.fleets().get(launch.fleet());
    if (fleet == null) {
      throw new IllegalStateException("fleet " + launch.fleet() + " is not in the applied herd.yaml");
    }
    Role role = s.roleOf(fleet);
    Release release = launch.release();
    RoleRuntime rt = release.spec().runtime();
    Scope scope = new Scope(fleet.environment(), fleet.role());
    EffectiveConfig config = configFor(s, fleet, release.spec().configRevision(), release.spec().runtime().env());
    NodeFacts facts = new NodeFacts(launch.slot(), launch.index(), base.port(), fleet.name(),
        rt.memoryBytes() > 0 ? OptionalLong.of(rt.memoryBytes() >> 20) : OptionalLong.empty(),
        rt.cpus() > 0 ? OptionalDouble.of(rt.cpus()) : OptionalDouble.empty());
    // Env carries what the release pins (drift compares it); stored config reaches reload/none fleets through /etc/herd.
    Map<String, String> env = new TreeMap<>(rt.env());
    // The release's launch templates, not the applied spec's: a launch change is a new release.
    Map<String, String> launchEnv = cfg.launch().evaluate(role.name(), rt.launch(), facts, config.asMap());
    for (Map.Entry<String, String> e : launchEnv.entrySet()) {
      if (env.containsKey(e.getKey())) {
        throw new IllegalArgumentException("launch setting " + e.getKey() + " of role " + role.name()
            + " has the name of a config key; rename one of them");
      }
      env.put(e.getKey(), e.getValue());
    }
    env.remove(NodeSpec.PORT_ENV);
    env.remove(NodeSpec.HOST_ENV);
    Map<String, byte[]> secrets = new TreeMap<>(cfg.secrets().materialize(scope.environment(), scope.role(),
        release.spec().secretRevisions()));
    NodeFiles.Rendered rendered;
    synchronized (this) {
      for (Map.Entry<String, List<Endpoint>> e : endpoints.getOrDefault(fleet.environment(), Map.of()).entrySet()) {
        env.put("HERD_" + e.getKey().toUpperCase().replace('-', '_') + "_ENDPOINTS",
            String.join(",", e.getValue().stream().map(p -> p.host() + ":" + p.port()).toList()));
      }
      // A fleet's front door is its one stable address: nodes of its environment get it.
      for (Fleet other : s.fleets().values()) {
        if (other.environment().equals(fleet.environment())) {
          other.expose().ifPresent(x -> env.put(frontDoorEnv(other.name()), frontDoorUrl(x)));
        }
      }
      if (watchUrl != null) {
        env.put("HERD_WATCH_URL", watchUrl);
      }
      // the node can say which release answered (e.g. a header), so a switch is visible to clients
      env.put("HERD_RELEASE", release.id());
      NodeState node = new NodeState(fleet.name(), base.node(), launch.slot(), base.port(), release.id(), config,
          new PrivateFiles.Owner(base.runAs().uid(), base.runAs().gid()));
      rendered = render(node);
      nodes.computeIfAbsent(fleet.name(), k -> new LinkedHashMap<>()).put(base.node(), node);
    }
    NodeToken token = cfg.tokens().issue(new NodeIdentity(fleet.name(), base.node(), scope.environment(), scope.role()));
    secrets.put(NodeToken.SECRET_NAME, token.bytes());
    return base.toBuilder().env(env).configDir(rendered.dir()).secrets(secrets).build();
  }

  @Override
  public synchronized void members(String fleet, List<Member> members) {
    Spec s = spec;
    Fleet f = s == null ? null : s.fleets().get(fleet);
    String env = f != null ? f.environment() : envOfKnownFleet(fleet);
    Map<String, NodeState> known = nodes.computeIfAbsent(fleet, k -> new LinkedHashMap<>());
    List<Endpoint> serving = new ArrayList<>();
    Map<String, NodeState> now = new LinkedHashMap<>();
    for (Member m : members) {
      NodeState n = known.get(m.engineName());
      if (n == null && f != null) {
        // a node started by an earlier controller: bring its files up to date (no signal)
        Optional<ReleaseInfo> rel = releaseOf(fleet, m.releaseId());
        if (rel.isPresent()) {
          n = new NodeState(fleet, m.engineName(), m.slot(), m.port(), m.releaseId(),
              configFor(s, f, rel.get().configRevision(), rel.get().env()), null);
          render(n);
        }
      }
      if (n != null) {
        now.put(m.engineName(), n);
      }
      if (m.serving()) {
        serving.add(new Endpoint(fleet, m.slot(), "127.0.0.1", m.port()));
      }
    }
    nodes.put(fleet, now);
    if (env == null) {
      return;
    }
    Map<String, List<Endpoint>> byFleet = endpoints.computeIfAbsent(env, k -> new TreeMap<>());
    List<Endpoint> before = byFleet.getOrDefault(fleet, List.of());
    Map<String, String> doors = frontDoors(s, env);
    Discovery previous = discovery.getOrDefault(env, Discovery.EMPTY);
    if (new Discovery(0, before, Map.of()).endpoints().equals(new Discovery(0, serving, Map.of()).endpoints())
        && previous.frontDoors().equals(doors)) {
      return;
    }
    if (serving.isEmpty()) {
      byFleet.remove(fleet);
    } else {
      byFleet.put(fleet, List.copyOf(serving));
    }
    // revisions survive a controller restart (watchers hold the last one they saw): never below the clock
    long revision = Math.max(previous.revision() + 1, clock.millis());
    List<Endpoint> all = byFleet.values().stream().flatMap(List::stream).toList();
    discovery.put(env, new Discovery(revision, all, doors));
    log.info("discovery of {}: fleet {} now serves {} endpoint(s) (revision {})", env, fleet, serving.size(), revision);
    renderEnvironment(env);
    cfg.watch().publish(ConfigWatch.Topic.discovery(env), revision);
  }

  @Override
  public Map<String, Set<String>> withState() {
    Map<String, Set<String>> out = new TreeMap<>();
    cfg.nodeFiles().nodes().forEach((f, names) -> out.computeIfAbsent(f, k -> new TreeSet<>()).addAll(names));
    cfg.tokens().nodes().forEach((f, names) -> out.computeIfAbsent(f, k -> new TreeSet<>()).addAll(names));
    return out;
  }

  @Override
  public synchronized void removed(String fleet, String engineName) {
    Map<String, NodeState> known = nodes.get(fleet);
    if (known != null) {
      known.remove(engineName);
    }
    cfg.tokens().revoke(fleet, engineName);
    cfg.nodeFiles().remove(fleet, engineName);
  }

  // ---- reacting to changes -------------------------------------------------------------------

  private void configChanged(ConfigWatch.Topic topic, long revision) {
    Spec s = spec;
    if (s == null) {
      return;
    }
    for (Fleet f : fleetsOf(s, topic.environment(), topic.role())) {
      switch (f.onConfigChange()) {
        case ROLLING -> {
          EffectiveConfig e = cfg.config().list(s, f.environment(), f.role());
          Controller c = controller;
          if (c == null) {
            log.warn("fleet {}: config {} revision {} is not rolled out: no controller attached", f.name(), topic, revision);
            continue;
          }
          c.rerelease(f.name(), r -> new ReleaseSpec(r.imageDigest(), e.revision(), r.secretRevisions(), withEnv(r.runtime(),
              e.asMap())), "config " + f.environment() + "/" + f.role() + " revision " + e.revision());
        }
        case RELOAD -> reload(s, f);
        case NONE -> log.info("fleet {}: config {}/{} revision {} reaches new nodes only (on_config_change: none)",
            f.name(), f.environment(), f.role(), revision);
      }
    }
  }

  /**
   * Re-renders the fleet's node files with the latest config, then signals the nodes to reload
   * them; both in parallel over the nodes (bounded), so the last node gets the change about as
   * soon as the first. A node whose files could not be written is not signalled.
   */
  private void reload(Spec s, Fleet f) {
    String signal = s.roleOf(f).reload().map(r -> r.signal().keyword()).orElse("HUP");
    long t0 = System.nanoTime();
    EffectiveConfig latest = cfg.config().list(s, f.environment(), f.role());
    List<NodeState> targets = new ArrayList<>();
    List<NodeState> rendered;
    long t1;
    synchronized (this) {
      t1 = System.nanoTime();
      Map<String, NodeState> known = nodes.getOrDefault(f.name(), Map.of());
      for (NodeState n : List.copyOf(known.values())) {
        NodeState updated = new NodeState(n.fleet(), n.engineName(), n.slot(), n.port(), n.releaseId(), latest, n.owner());
        known.put(n.engineName(), updated);
        targets.add(updated);
      }
      // rendered under this lock (so no older content overtakes it) but not one node after another
      rendered = renderAll(targets);
    }
    long t2 = System.nanoTime();
    java.util.concurrent.atomic.AtomicInteger signalled = new java.util.concurrent.atomic.AtomicInteger();
    Fanout.forEach(rendered, PARALLELISM, n -> {
      try {
        if (engine.signal(new NodeRef(project, n.engineName()), signal)) {
          signalled.incrementAndGet();
        }
      } catch (RuntimeException e) {
        log.warn("fleet {}: SIG{} to {} failed: {}", f.name(), signal, n.engineName(), e.getMessage());
      }
    });
    long t3 = System.nanoTime();
    // the split says where a slow reload spends its time (bench/config reads it)
    log.info("fleet {}: config {}/{} revision {} reloaded: files of {} of {} node(s) re-rendered, SIG{} sent to {}"
        + " in {} ms (config and lock {} ms, files {} ms, signals {} ms)", f.name(), f.environment(), f.role(),
        latest.revision(), rendered.size(), targets.size(), signal, signalled.get(), millis(t0, t3), millis(t0, t1),
        millis(t1, t2), millis(t2, t3));
  }

  private static long millis(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1_000_000;
  }

  /** Renders the nodes' files in parallel; returns the nodes rendered (failures are logged). Caller holds this. */
  private List<NodeState> renderAll(List<NodeState> targets) {
    List<NodeState> done = new java.util.concurrent.CopyOnWriteArrayList<>();
    Fanout.forEach(targets, PARALLELISM, n -> {
      try {
        render(n);
        done.add(n);
      } catch (RuntimeException e) {
        log.warn("fleet {}: node files of {} not written: {}", n.fleet(), n.engineName(), e.getMessage());
      }
    });
    return List.copyOf(done);
  }

  private synchronized void flagsChanged(String env) {
    renderEnvironment(env);
  }

  // ---- rendering -----------------------------------------------------------------------------

  private void renderEnvironment(String env) {
    Spec s = spec;
    List<NodeState> targets = new ArrayList<>();
    for (Map.Entry<String, Map<String, NodeState>> e : nodes.entrySet()) {
      String fleetEnv = s == null || !s.fleets().containsKey(e.getKey()) ? null : s.fleet(e.getKey()).environment();
      if (env.equals(fleetEnv)) {
        targets.addAll(e.getValue().values());
      }
    }
    renderAll(targets);
  }

  /** Writes the node's files (a no-op when nothing changed). Caller holds this. */
  private NodeFiles.Rendered render(NodeState n) {
    String env = n.config().scope().environment();
    FlagSet flags = cfg.flags().snapshot(env);
    return cfg.nodeFiles().render(new NodeFiles.Content(n.fleet(), n.engineName(), n.config(), flags,
        discovery.getOrDefault(env, Discovery.EMPTY)), n.owner());
  }

  /** The config a node of this release gets: pinned by the release (rolling) or the latest (reload, none). */
  private EffectiveConfig configFor(Spec s, Fleet fleet, long revision, Map<String, String> releaseEnv) {
    Scope scope = new Scope(fleet.environment(), fleet.role());
    if (fleet.onConfigChange() != Fleet.OnConfigChange.ROLLING) {
      return cfg.config().list(s, scope.environment(), scope.role());
    }
    Map<String, String> fromSpec = s.environments().get(scope.environment()).config();
    Map<String, ConfigValue> values = new TreeMap<>();
    releaseEnv.forEach((k, v) -> values.put(k, v.equals(fromSpec.get(k))
        ? new ConfigValue(k, v, ConfigValue.Source.SPEC, 0) : new ConfigValue(k, v, ConfigValue.Source.STORED, revision)));
    return new EffectiveConfig(scope, revision, values);
  }

  /** The config, flags and discovery a node sees now (its files' content), for the watch API. */
  public synchronized Optional<NodeView> view(String fleet, String engineName) {
    NodeState n = nodes.getOrDefault(fleet, Map.of()).get(engineName);
    if (n == null) {
      return Optional.empty();
    }
    String env = n.config().scope().environment();
    return Optional.of(new NodeView(n.config(), cfg.flags().snapshot(env), discovery.getOrDefault(env, Discovery.EMPTY)));
  }

  /** What one node sees. */
  public record NodeView(EffectiveConfig config, FlagSet flags, Discovery discovery) {}

  /** The environment's discovery now. */
  public synchronized Discovery discovery(String env) {
    return discovery.getOrDefault(env, Discovery.EMPTY);
  }

  private static RoleRuntime withEnv(RoleRuntime r, Map<String, String> env) {
    return r.withEnv(env);
  }

  private Optional<ReleaseInfo> releaseOf(String fleet, String id) {
    Controller c = controller;
    if (c == null) {
      return Optional.empty();
    }
    try {
      return c.releases(fleet).stream().filter(r -> r.id().equals(id)).findFirst();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private String envOfKnownFleet(String fleet) {
    return nodes.getOrDefault(fleet, Map.of()).values().stream().findFirst()
        .map(n -> n.config().scope().environment()).orElse(null);
  }

  private static List<Fleet> fleetsOf(Spec s, String env, String role) {
    return s.fleets().values().stream().filter(f -> f.environment().equals(env) && f.role().equals(role)).toList();
  }

  private Spec requireSpec() {
    Spec s = spec;
    if (s == null) {
      throw new IllegalStateException("no herd.yaml applied yet: config, secrets and flags need the project's environments and roles");
    }
    return s;
  }

  private Controller controller() {
    Controller c = controller;
    if (c == null) {
      throw new IllegalStateException("no controller attached to deliver config");
    }
    return c;
  }

  @Override
  public synchronized void close() {
    subscriptions.forEach(ConfigWatch.Subscription::close);
    subscriptions.clear();
  }
}
