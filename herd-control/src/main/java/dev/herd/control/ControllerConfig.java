package dev.herd.control;

import dev.herd.control.health.HealthProber;
import dev.herd.control.health.EngineProber;
import dev.herd.control.loop.ManualScheduler;
import dev.herd.control.loop.Scheduler;
import dev.herd.control.loop.ThreadScheduler;
import dev.herd.engine.Engine;
import dev.herd.spec.PortRange;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to run a controller. Defaults are production ones: system clock, a virtual-thread
 * scheduler, health probes chosen by the engine ({@link EngineProber}: loopback, or the engine's
 * own readiness where nodes are not on this host) and loopback port checks. {@link Builder#simulated} switches to
 * simulated time: nothing runs in the background, {@link Controller#runPending()} drives it.
 */
public record ControllerConfig(
    Path stateDir,
    String project,
    PortRange ports,
    Engine engine,
    ImageSupplier images,
    Clock clock,
    Scheduler scheduler,
    HealthProber prober,
    PortCheck portCheck,
    boolean background,
    Duration resync,
    Duration stopGrace,
    NodeConfig nodeConfig,
    int engineConcurrency,
    Optional<String> haproxy) {

  /**
   * Engine calls (starts, stops, removals) one controller runs at once unless told otherwise.
   * A rollout wave starts max_surge nodes at once; below the surge a wave takes two start times
   * (measured: 100 nodes, surge 10, 300 ms starts: +136% over the ideal at 8, +47% at 10).
   */
  public static final int DEFAULT_ENGINE_CONCURRENCY = 16;

  public ControllerConfig {
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(ports, "ports");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(prober, "prober");
    Objects.requireNonNull(portCheck, "portCheck");
    if (!background && !(scheduler instanceof ManualScheduler)) {
      throw new IllegalArgumentException("a controller without background threads needs a ManualScheduler");
    }
    Objects.requireNonNull(nodeConfig, "nodeConfig");
    Objects.requireNonNull(haproxy, "haproxy");
    if (engineConcurrency < 1 || engineConcurrency > 256) {
      throw new IllegalArgumentException("engineConcurrency must be between 1 and 256, got " + engineConcurrency);
    }
    if (resync.isNegative() || resync.isZero()) {
      throw new IllegalArgumentException("resync must be more than 0");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private Path stateDir;
    private String project;
    private PortRange ports = PortRange.DEFAULT;
    private Engine engine;
    private ImageSupplier images;
    private Clock clock = Clock.systemUTC();
    private Scheduler scheduler;
    private HealthProber prober;
    private PortCheck portCheck = PortCheck.LOOPBACK;
    private boolean background = true;
    private Duration resync = Duration.ofMinutes(5);
    private Duration stopGrace = Duration.ofSeconds(10);
    private NodeConfig nodeConfig = NodeConfig.NONE;
    private int engineConcurrency = DEFAULT_ENGINE_CONCURRENCY;

    private Builder() {}

    /** herd's state directory; the controller uses {@code herd.db} in it. */
    public Builder stateDir(Path v) { stateDir = v; return this; }
    public Builder project(String v) { project = v; return this; }
    public Builder ports(PortRange v) { ports = v; return this; }
    public Builder engine(Engine v) { engine = v; return this; }
    /** Where the engine gets images it lacks; null when every image is already on the engine. */
    public Builder images(ImageSupplier v) { images = v; return this; }
    public Builder clock(Clock v) { clock = v; return this; }
    public Builder scheduler(Scheduler v) { scheduler = v; return this; }
    public Builder prober(HealthProber v) { prober = v; return this; }
    public Builder portCheck(PortCheck v) { portCheck = v; return this; }
    /** How often a quiet fleet is looked at anyway (level-based safety net). */
    public Builder resync(Duration v) { resync = v; return this; }
    /** How long a stopped node gets between SIGTERM and SIGKILL. */
    public Builder stopGrace(Duration v) { stopGrace = v; return this; }

    /** What nodes get besides their release's env: /etc/herd, secrets, discovery (the config service). */
    public Builder nodeConfig(NodeConfig v) { nodeConfig = v; return this; }

    /**
     * How many engine calls (starts, stops, removals) run at once, across all fleets: the
     * actuator's bound, so a big rollout does not flood the engine.
     */
    public Builder engineConcurrency(int v) { engineConcurrency = v; return this; }

    /**
     * Runs the front door of exposed fleets with this HAProxy binary (herd up); without it
     * (simulated controllers) fleets' {@code expose} is kept but not served.
     */
    public Builder frontDoor(String haproxyBinary) { haproxy = Optional.of(haproxyBinary); return this; }

    /** Simulated time: {@code clock} drives a {@link ManualScheduler}; no background threads. */
    private Optional<String> haproxy = Optional.empty();

    public Builder simulated(Clock v) {
      clock = v;
      scheduler = new ManualScheduler(v);
      background = false;
      return this;
    }

    public ControllerConfig build() {
      return new ControllerConfig(stateDir, project, ports, engine, images, clock,
          scheduler == null ? new ThreadScheduler() : scheduler, prober == null ? new EngineProber(engine) : prober,
          portCheck, background, resync, stopGrace, nodeConfig, engineConcurrency, haproxy);
    }
  }
}
