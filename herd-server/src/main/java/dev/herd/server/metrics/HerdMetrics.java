package dev.herd.server.metrics;

import dev.herd.control.Controller;
import dev.herd.control.FleetStatus;
import dev.herd.control.NodeStatus;
import dev.herd.control.health.HealthProber;
import dev.herd.control.loop.ReconcileLoop;
import dev.herd.control.ControllerEvent;
import dev.herd.control.ReleaseInfo;
import dev.herd.control.RolloutStatus;
import dev.herd.engine.Engine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * herd's metrics in Prometheus' text format (docs/metrics.md). Fleet and node state is read from
 * the controller at each scrape (so a scrape shows what {@code herd status} shows now);
 * events, reconcile passes, engine calls and probes are counted and timed as they happen.
 *
 * <p>Labels are fleet and node names, enum values and fixed words only: never a reason text, a
 * config value or a secret, and never anything per request.
 */
public final class HerdMetrics implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HerdMetrics.class);
  /** The histogram buckets of every latency herd measures (a bounded set: 11 series per label set). */
  static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicReference<Controller> controller = new AtomicReference<>();
  private final List<AutoCloseable> subscriptions = new ArrayList<>();
  private final JvmGcMetrics gc = new JvmGcMetrics();

  private final MultiGauge desired;
  private final MultiGauge nodesByPhase;
  private final MultiGauge running;
  private final MultiGauge healthy;
  private final MultiGauge ready;
  private final MultiGauge releaseInfo;
  private final MultiGauge releaseVersion;
  private final MultiGauge configRevision;
  private final MultiGauge rolloutState;
  private final MultiGauge rolloutProgress;
  private final MultiGauge nodeInfo;
  private final MultiGauge nodeGeneration;
  private final MultiGauge autoscaleCpu;
  private final MultiGauge autoscaleTarget;
  private final MultiGauge autoscaleMin;
  private final MultiGauge autoscaleMax;
  private volatile dev.herd.control.autoscale.Autoscaler autoscaler;
  private final MultiGauge autoscaleRequests;
  private final MultiGauge autoscaleTargetRequests;
  private final MultiGauge doorRequests;
  private final MultiGauge doorResponses;
  private final MultiGauge doorNodeErrors;
  private final MultiGauge doorRetries;
  private final MultiGauge doorRate;
  private final MultiGauge doorTime;
  private final MultiGauge doorAvgTime;
  /** Where an exposed fleet's front-door figures come from (the controller; a test may give its own). */
  private volatile java.util.function.Function<String, Optional<dev.herd.control.FleetTraffic>> traffic;

  public HerdMetrics() {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    desired = gauge("herd.fleet.desired.nodes", "nodes the fleet should run (the scale override when set, else the spec's count)");
    nodesByPhase = gauge("herd.fleet.nodes", "recorded nodes of the fleet by phase");
    running = gauge("herd.fleet.running.nodes", "nodes whose container runs (starting, healthy or unhealthy)");
    healthy = gauge("herd.fleet.healthy.nodes", "nodes passing their health check");
    ready = gauge("herd.fleet.ready.nodes", "nodes in service: healthy and on the side that takes traffic");
    releaseInfo = gauge("herd.fleet.release.info", "1 for the fleet's current release (label release, last_good)");
    releaseVersion = gauge("herd.fleet.release.version", "the number N of the fleet's current release FLEET:vN");
    configRevision = gauge("herd.fleet.config.revision", "the config revision the fleet's current release pins");
    rolloutState = gauge("herd.rollout.state", "1 for the fleet's rollout state (none, running, paused, failed), 0 for the others");
    rolloutProgress = gauge("herd.rollout.progress.ratio", "ready nodes on the rollout's new release / desired nodes");
    nodeInfo = gauge("herd.node.info", "1 per recorded node (labels: release, phase, in_service)");
    nodeGeneration = gauge("herd.node.generation", "the node's generation (1 for its first container, +1 per replacement)");
    autoscaleCpu = gauge("herd.autoscale.cpu.percent", "autoscaled fleets: mean CPU use of the nodes last measured, % of a node's CPU limit");
    autoscaleTarget = gauge("herd.autoscale.target.cpu.percent", "autoscaled fleets: the cpu target");
    autoscaleMin = gauge("herd.autoscale.min.nodes", "autoscaled fleets: min");
    autoscaleMax = gauge("herd.autoscale.max.nodes", "autoscaled fleets: max");
    autoscaleRequests = gauge("herd.autoscale.requests.per.node", "autoscaled fleets with a requests target: requests per second per node in service, last measured");
    autoscaleTargetRequests = gauge("herd.autoscale.target.requests.per.node", "autoscaled fleets: the requests_per_node target");
    doorRequests = gauge("herd.frontdoor.requests", "exposed fleets: requests (tcp: sessions) through the front door, HAProxy's counter since it started or reloaded");
    doorResponses = gauge("herd.frontdoor.responses", "exposed fleets: responses by class (1xx..5xx), HAProxy's counters since it started or reloaded");
    doorNodeErrors = gauge("herd.frontdoor.node.errors", "exposed fleets: connections a node refused or dropped (kind connection) or closed without a whole answer (kind response)");
    doorRetries = gauge("herd.frontdoor.retries", "exposed fleets: requests HAProxy retried on another node");
    doorRate = gauge("herd.frontdoor.requests.per.second", "exposed fleets: requests per second, from HAProxy's counter sampled every 5 s");
    doorTime = gauge("herd.frontdoor.request.time.ms", "exposed fleets: request time percentiles (quantile 0.5, 0.99) from the access log of the last minute");
    doorAvgTime = gauge("herd.frontdoor.avg.time.ms", "exposed fleets: HAProxy's averages of its last 1024 requests (kind response: rtime, total: ttime)");
  }

  /** Takes an exposed fleet's front-door figures from {@code source} instead of the controller. */
  public void traffic(java.util.function.Function<String, Optional<dev.herd.control.FleetTraffic>> source) {
    this.traffic = source;
  }

  private MultiGauge gauge(String name, String description) {
    return MultiGauge.builder(name).description(description).register(registry);
  }

  /** Measures {@code c}: its passes and events from now on, its fleets and nodes at each scrape. */
  public synchronized void watch(Controller c) {
    if (!controller.compareAndSet(null, c)) {
      throw new IllegalStateException("metrics already watch a controller");
    }
    subscriptions.add(c.onEvent(this::event));
    subscriptions.add(c.onPass(this::pass));
    Gauge.builder("herd.reconcile.queue.depth", c, Controller::queuedPasses)
        .description("fleets waiting for a reconcile pass").register(registry);
  }

  /** Also exposes the autoscaling state of {@code a}'s fleets. */
  public void autoscaler(dev.herd.control.autoscale.Autoscaler a) {
    this.autoscaler = a;
  }

  /** {@code engine} with every call timed by operation. */
  public Engine engine(Engine engine) {
    return new TimedEngine(engine, this);
  }

  /** {@code prober} with every probe timed by fleet, failures counted. */
  public HealthProber prober(HealthProber prober) {
    return new TimedProber(prober, this);
  }

  void engineCall(String operation, Duration took, boolean ok) {
    Timer.builder("herd.engine.call").description("engine API calls by operation")
        .tags("operation", operation, "outcome", ok ? "ok" : "error")
        .serviceLevelObjectives(BUCKETS).register(registry).record(took);
  }

  void probe(String fleet, Duration took, boolean ok) {
    Timer.builder("herd.probe").description("health probes by fleet")
        .tags("fleet", fleet, "outcome", ok ? "ok" : "failed")
        .serviceLevelObjectives(BUCKETS).register(registry).record(took);
    if (!ok) {
      Counter.builder("herd.probe.failures").description("failed health probes by fleet")
          .tag("fleet", fleet).register(registry).increment();
    }
  }

  private void pass(String key, Duration took, ReconcileLoop.Outcome outcome) {
    Timer.builder("herd.reconcile.pass").description("reconcile passes by fleet and outcome")
        .tags("fleet", key, "outcome", outcome.name().toLowerCase(Locale.ROOT))
        .serviceLevelObjectives(BUCKETS).register(registry).record(took);
    if (outcome == ReconcileLoop.Outcome.FAILED || outcome == ReconcileLoop.Outcome.TERMINAL) {
      Counter.builder("herd.reconcile.failures").description("reconcile passes that failed, by fleet")
          .tag("fleet", key).register(registry).increment();
    }
  }

  private void event(ControllerEvent e) {
    Counter.builder("herd.events").description("controller events by fleet and kind")
        .tags("fleet", e.fleet(), "kind", EventLabels.kind(e)).register(registry).increment();
    EventLabels.replacement(e).ifPresent(reason -> Counter.builder("herd.node.replacements")
        .description("nodes replaced, by fleet and reason").tags("fleet", e.fleet(), "reason", reason)
        .register(registry).increment());
    EventLabels.driftKind(e).ifPresent(kind -> Counter.builder("herd.drift.findings")
        .description("drift findings by fleet and kind").tags("fleet", e.fleet(), "kind", kind)
        .register(registry).increment());
  }

  /** The exposition text: fleet and node state as of now, and everything counted so far. */
  public synchronized String scrape() {
    Controller c = controller.get();
    if (c != null) {
      try {
        refresh(c);
      } catch (RuntimeException e) {
        // the counters still tell something; the fleet gauges keep their last values
        log.warn("metrics: cannot read fleet status: {}", e.toString());
      }
    }
    return registry.scrape();
  }

  private void refresh(Controller c) {
    List<MultiGauge.Row<?>> desiredRows = new ArrayList<>();
    List<MultiGauge.Row<?>> phaseRows = new ArrayList<>();
    List<MultiGauge.Row<?>> runningRows = new ArrayList<>();
    List<MultiGauge.Row<?>> healthyRows = new ArrayList<>();
    List<MultiGauge.Row<?>> readyRows = new ArrayList<>();
    List<MultiGauge.Row<?>> releaseRows = new ArrayList<>();
    List<MultiGauge.Row<?>> versionRows = new ArrayList<>();
    List<MultiGauge.Row<?>> revisionRows = new ArrayList<>();
    List<MultiGauge.Row<?>> rolloutRows = new ArrayList<>();
    List<MultiGauge.Row<?>> progressRows = new ArrayList<>();
    List<MultiGauge.Row<?>> nodeRows = new ArrayList<>();
    List<MultiGauge.Row<?>> generationRows = new ArrayList<>();
    List<MultiGauge.Row<?>> cpuRows = new ArrayList<>();
    List<MultiGauge.Row<?>> targetRows = new ArrayList<>();
    List<MultiGauge.Row<?>> minRows = new ArrayList<>();
    List<MultiGauge.Row<?>> maxRows = new ArrayList<>();
    List<MultiGauge.Row<?>> requestRows = new ArrayList<>();
    List<MultiGauge.Row<?>> requestTargetRows = new ArrayList<>();
    List<MultiGauge.Row<?>> doorRequestRows = new ArrayList<>();
    List<MultiGauge.Row<?>> doorResponseRows = new ArrayList<>();
    List<MultiGauge.Row<?>> doorErrorRows = new ArrayList<>();
    List<MultiGauge.Row<?>> doorRetryRows = new ArrayList<>();
    List<MultiGauge.Row<?>> doorRateRows = new ArrayList<>();
    List<MultiGauge.Row<?>> doorTimeRows = new ArrayList<>();
    List<MultiGauge.Row<?>> doorAvgRows = new ArrayList<>();
    java.util.function.Function<String, Optional<dev.herd.control.FleetTraffic>> source = traffic != null ? traffic : c::traffic;
    dev.herd.control.autoscale.Autoscaler scaler = autoscaler;
    for (FleetStatus f : c.status()) {
      if (f.deleted()) {
        continue;
      }
      Tags fleet = Tags.of("fleet", f.fleet());
      desiredRows.add(MultiGauge.Row.of(fleet, f.count()));
      Map<NodeStatus.Phase, Integer> phases = new EnumMap<>(NodeStatus.Phase.class);
      for (NodeStatus.Phase p : NodeStatus.Phase.values()) {
        phases.put(p, 0);
      }
      int run = 0;
      int inService = 0;
      Map<String, Long> generations = new java.util.TreeMap<>();
      for (NodeStatus n : f.nodes()) {
        phases.merge(n.phase(), 1, Integer::sum);
        if (n.phase() == NodeStatus.Phase.STARTING || n.phase() == NodeStatus.Phase.HEALTHY || n.phase() == NodeStatus.Phase.UNHEALTHY) {
          run++;
        }
        if (n.inService()) {
          inService++;
        }
        Tags node = fleet.and("node", n.name());
        // one row per container: during a surge two generations of one name run side by side
        nodeRows.add(MultiGauge.Row.of(node.and("generation", Long.toString(n.generation()), "release", n.release(),
            "phase", lower(n.phase()), "in_service", Boolean.toString(n.inService())), 1));
        generations.merge(n.name(), n.generation(), Math::max);
      }
      generations.forEach((name, g) -> generationRows.add(MultiGauge.Row.of(fleet.and("node", name), g)));
      phases.forEach((p, count) -> phaseRows.add(MultiGauge.Row.of(fleet.and("phase", lower(p)), count)));
      runningRows.add(MultiGauge.Row.of(fleet, run));
      healthyRows.add(MultiGauge.Row.of(fleet, phases.get(NodeStatus.Phase.HEALTHY)));
      readyRows.add(MultiGauge.Row.of(fleet, inService));
      releaseRows.add(MultiGauge.Row.of(fleet.and("release", f.currentRelease(),
          "last_good", f.lastGoodRelease().orElse("")), 1));
      versionOf(f.currentRelease()).ifPresent(v -> versionRows.add(MultiGauge.Row.of(fleet, v)));
      configRevision(c, f).ifPresent(r -> revisionRows.add(MultiGauge.Row.of(fleet, r)));
      String state = f.rollout().map(r -> lower(r.state())).orElse("none");
      for (String s : List.of("none", "running", "paused", "failed")) {
        rolloutRows.add(MultiGauge.Row.of(fleet.and("state", s), s.equals(state) ? 1 : 0));
      }
      f.rollout().ifPresent(r -> progressRows.add(MultiGauge.Row.of(fleet, progress(r, f))));
      source.apply(f.fleet()).ifPresent(t -> {
        doorRequestRows.add(MultiGauge.Row.of(fleet, t.requests()));
        long[] byClass = {t.responses1xx(), t.responses2xx(), t.responses3xx(), t.responses4xx(), t.responses5xx()};
        for (int i = 0; i < byClass.length; i++) {
          doorResponseRows.add(MultiGauge.Row.of(fleet.and("code", (i + 1) + "xx"), byClass[i]));
        }
        doorErrorRows.add(MultiGauge.Row.of(fleet.and("kind", "connection"), t.connectionErrors()));
        doorErrorRows.add(MultiGauge.Row.of(fleet.and("kind", "response"), t.responseErrors()));
        doorRetryRows.add(MultiGauge.Row.of(fleet, t.retries()));
        t.requestsPerSecond().ifPresent(r -> doorRateRows.add(MultiGauge.Row.of(fleet, r)));
        t.p50Ms().ifPresent(p -> doorTimeRows.add(MultiGauge.Row.of(fleet.and("quantile", "0.5"), p)));
        t.p99Ms().ifPresent(p -> doorTimeRows.add(MultiGauge.Row.of(fleet.and("quantile", "0.99"), p)));
        doorAvgRows.add(MultiGauge.Row.of(fleet.and("kind", "response"), t.avgResponseMs()));
        doorAvgRows.add(MultiGauge.Row.of(fleet.and("kind", "total"), t.avgTotalMs()));
      });
      if (scaler != null) {
        scaler.state(f.fleet()).ifPresent(a -> {
          if (a.settings().metric() == dev.herd.spec.Autoscale.Metric.CPU) {
            a.load().ifPresent(cpu -> cpuRows.add(MultiGauge.Row.of(fleet, cpu)));
            targetRows.add(MultiGauge.Row.of(fleet, a.settings().cpuPercent()));
          } else {
            a.load().ifPresent(r -> requestRows.add(MultiGauge.Row.of(fleet, r)));
            requestTargetRows.add(MultiGauge.Row.of(fleet, a.settings().requestsPerNode()));
          }
          minRows.add(MultiGauge.Row.of(fleet, a.settings().min()));
          maxRows.add(MultiGauge.Row.of(fleet, a.settings().max()));
        });
      }
    }
    desired.register(desiredRows, true);
    nodesByPhase.register(phaseRows, true);
    running.register(runningRows, true);
    healthy.register(healthyRows, true);
    ready.register(readyRows, true);
    releaseInfo.register(releaseRows, true);
    releaseVersion.register(versionRows, true);
    configRevision.register(revisionRows, true);
    rolloutState.register(rolloutRows, true);
    rolloutProgress.register(progressRows, true);
    nodeInfo.register(nodeRows, true);
    nodeGeneration.register(generationRows, true);
    autoscaleCpu.register(cpuRows, true);
    autoscaleTarget.register(targetRows, true);
    autoscaleMin.register(minRows, true);
    autoscaleMax.register(maxRows, true);
    autoscaleRequests.register(requestRows, true);
    autoscaleTargetRequests.register(requestTargetRows, true);
    doorRequests.register(doorRequestRows, true);
    doorResponses.register(doorResponseRows, true);
    doorNodeErrors.register(doorErrorRows, true);
    doorRetries.register(doorRetryRows, true);
    doorRate.register(doorRateRows, true);
    doorTime.register(doorTimeRows, true);
    doorAvgTime.register(doorAvgRows, true);
  }

  /** Ready (healthy) nodes on the rollout's new release over the fleet's count, at most 1. */
  static double progress(RolloutStatus r, FleetStatus f) {
    if (f.count() <= 0) {
      return 1.0;
    }
    long done = f.nodes().stream()
        .filter(n -> n.phase() == NodeStatus.Phase.HEALTHY && n.release().equals(r.toRelease())).count();
    return Math.min(1.0, (double) done / f.count());
  }

  static Optional<Integer> versionOf(String releaseId) {
    int at = releaseId == null ? -1 : releaseId.lastIndexOf(":v");
    if (at < 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(Integer.parseInt(releaseId.substring(at + 2)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<Long> configRevision(Controller c, FleetStatus f) {
    for (ReleaseInfo r : c.releases(f.fleet())) {
      if (r.id().equals(f.currentRelease())) {
        return Optional.of(r.configRevision());
      }
    }
    return Optional.empty();
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public synchronized void close() {
    for (AutoCloseable s : subscriptions) {
      try {
        s.close();
      } catch (Exception e) {
        log.debug("metrics: closing a subscription failed", e);
      }
    }
    subscriptions.clear();
    gc.close();
    registry.close();
  }
}
