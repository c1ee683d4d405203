package dev.herd.control.health;

import dev.herd.engine.Engine;
import dev.herd.spec.Health;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The health of a node herd cannot reach from this host (a Pod on a cluster has its own
 * address): what the engine reports of its own probe of the node, which runs the role's health
 * check (http, tcp or command) as the node's readiness probe. One engine read per probe; the
 * {@link HealthMonitor} applies start_grace and failure_threshold to its answers as to a network probe's.
 */
public final class EngineReadinessProber implements HealthProber {
  private final Engine engine;

  public EngineReadinessProber(Engine engine) {
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  /** The engine runs every kind of check itself (the kubelet runs exec probes too). */
  @Override
  public boolean supports(Health.Check check) {
    return true;
  }

  @Override
  public ProbeResult probe(ProbeTarget target, Health.Check check, Duration timeout) {
    Optional<Boolean> ready = engine.ready(target.ref());
    if (ready.isEmpty()) {
      return ProbeResult.fail("the engine reports no readiness for " + target.ref().node());
    }
    return ready.get() ? ProbeResult.ok("ready (the engine's probe passes)")
        : ProbeResult.fail("not ready (the engine's probe fails)");
  }
}
