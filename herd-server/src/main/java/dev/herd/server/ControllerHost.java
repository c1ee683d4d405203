package dev.herd.server;

import dev.herd.control.Controller;
import dev.herd.control.ControllerConfig;
import dev.herd.server.api.Api;
import dev.herd.control.autoscale.Autoscaler;
import dev.herd.server.metrics.HerdMetrics;
import java.nio.file.Path;
import java.util.Map;
import dev.herd.config.HerdConfig;
import dev.herd.control.config.ConfigDelivery;
import dev.herd.spec.SpecLoader;
import dev.herd.spec.SpecResult;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code herd up} runs: the state directory's lock, the controller, the spec applier and the
 * API server, stopped together. {@code POST /v1/down} removes every node and completes
 * {@link HerdServer#stopRequested()}; the caller then closes the host.
 */
public final class ControllerHost implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControllerHost.class);

  private final ControllerConfig config;
  private final ControllerLock lock;
  private final Controller controller;
  private final SpecApplier applier;
  private final HerdServer server;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean controllerClosed = new AtomicBoolean();

  private final HerdConfig herdConfig;
  private final ConfigDelivery delivery;
  private final HerdMetrics metrics = new HerdMetrics();
  private final dev.herd.server.ui.LastProbes probes;
  private Autoscaler autoscaler;

  /** How long {@code herd down} waits for the engine to remove nodes before it stops regardless. */
  static final java.time.Duration DOWN_BOUND = java.time.Duration.ofSeconds(20);

  private ControllerHost(ControllerLock lock, ControllerConfig base, Path specFile, RoleImages images,
      HerdServer.Options options, Consumer<Api.EventView> listener, Map<String, String> environment) {
    this.lock = lock;
    this.probes = new dev.herd.server.ui.LastProbes(base.clock());
    Controller c = null;
    HerdConfig cfg = null;
    try {
      // one config service for the controller and the API: the API's writes wake the controller's listeners
      cfg = HerdConfig.open(base.stateDir(), environment, base.clock());
      this.herdConfig = cfg;
      // engine calls and probes are timed for /metrics; everything else sees the same engine
      dev.herd.engine.Engine engine = metrics.engine(base.engine());
      this.delivery = new ConfigDelivery(cfg, engine, base.project(), base.clock());
      this.config = new ControllerConfig(base.stateDir(), base.project(), base.ports(), engine, base.images(),
          base.clock(), base.scheduler(), metrics.prober(probes.recording(base.prober())), base.portCheck(), base.background(), base.resync(),
          base.stopGrace(), delivery, base.engineConcurrency(), base.haproxy());
      SpecResult loaded = SpecLoader.load(specFile);
      if (loaded instanceof SpecResult.Loaded l) {
        // nodes the controller heals before the first apply need the environments and roles too
        delivery.spec(l.spec());
      }
      c = Controller.open(config);
      metrics.watch(c);
      this.autoscaler = new Autoscaler(c, config);
      metrics.autoscaler(autoscaler);
      if (loaded instanceof SpecResult.Loaded l) {
        autoscaler.configure(l.spec());
      }
      delivery.attach(c);
      if (listener != null) {
        c.onEvent(e -> listener.accept(Views.event(e)));
      }
      c.start();
      this.controller = c;
      this.applier = new SpecApplier(specFile, images, c, delivery);
      applier.onApplied(autoscaler::configure);
      this.server = HerdServer.start(options, c, applier, new HerdServer.Down() {
        @Override
        public String stopAndRemoveAll() {
          return removeAllNodes(false);
        }

        @Override
        public String stopAndRemoveAll(boolean deleteVolumes) {
          return removeAllNodes(deleteVolumes);
        }
      }, delivery, metrics);
      server.autoscaler(autoscaler);
      server.probes(probes);
      delivery.watchUrl(server.url().resolve("/v1/watch").toString());
    } catch (RuntimeException e) {
      if (autoscaler != null) {
        autoscaler.close();
      }
      if (c != null) {
        c.close();
      }
      if (cfg != null) {
        cfg.close();
      }
      metrics.close();
      lock.close();
      throw e;
    }
  }

  /**
   * Starts the controller and the API under {@code lock} (taken by the caller first, so a second
   * controller is refused before it touches anything; released by {@link #close()}).
   * {@code listener} (may be null) sees every controller event as the API shows it.
   */
  public static ControllerHost start(ControllerLock lock, ControllerConfig config, Path specFile, RoleImages images,
      HerdServer.Options options, Consumer<Api.EventView> listener) {
    return start(lock, config, specFile, images, options, listener, System.getenv());
  }

  /** @param environment the process environment, for {@code HERD_SECRETS_KEY} */
  public static ControllerHost start(ControllerLock lock, ControllerConfig config, Path specFile, RoleImages images,
      HerdServer.Options options, Consumer<Api.EventView> listener, Map<String, String> environment) {
    if (!lock.stateDir().equals(config.stateDir().toAbsolutePath().normalize())) {
      throw new IllegalArgumentException("the lock is for " + lock.stateDir() + ", the controller for " + config.stateDir());
    }
    return new ControllerHost(lock, config, specFile, images, options, listener, environment);
  }

  public Controller controller() {
    return controller;
  }

  public HerdMetrics metrics() {
    return metrics;
  }

  public HerdServer server() {
    return server;
  }

  /** Re-reads herd.yaml and applies it; the scheduled rebakes go through it like an operator's apply. */
  public SpecApplier applier() {
    return applier;
  }

  /** Applies herd.yaml as it is on disk now; {@link ApiError} when it cannot (invalid spec, no image). */
  public Api.Changes apply() {
    return applier.apply();
  }

  /**
   * Stops the controller, then removes every node of the project from the engine. Always
   * finishes within {@link #DOWN_BOUND} (the engine may be gone); the summary says what it could
   * not remove.
   */
  public String removeAllNodes() {
    return removeAllNodes(false);
  }

  /** {@link #removeAllNodes()}; with {@code deleteVolumes} the project's volumes go too (else the summary names them). */
  public String removeAllNodes(boolean deleteVolumes) {
    autoscaler.close(); // herd down: no scaling while the nodes go
    if (!controllerClosed.compareAndSet(false, true)) {
      return "the controller was already stopped";
    }
    return controller.down(DOWN_BOUND, deleteVolumes).summary();
  }

  /** Stops the API and the controller and releases the lock; nodes keep running. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      server.close();
    } finally {
      try {
        closeController();
      } finally {
        try {
          delivery.close();
          herdConfig.close();
          metrics.close();
        } finally {
          lock.close();
        }
      }
    }
  }

  private void closeController() {
    autoscaler.close();
    if (controllerClosed.compareAndSet(false, true)) {
      controller.close();
    }
  }
}
