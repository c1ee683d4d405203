package dev.herd.control.health;

import dev.herd.engine.Engine;
import dev.herd.spec.Health;
import java.time.Duration;
import java.util.Objects;

/**
 * The default prober of a controller: asks the engine once ({@link Engine#capabilities()}) whether nodes
 * listen on this host; then probes over loopback ({@link NetworkProber}) or reads the engine's
 * own readiness of the node ({@link EngineReadinessProber}). The choice is made on first use, not
 * when the controller is configured, so that configuring one costs no engine call.
 */
public final class EngineProber implements HealthProber {
  private final Engine engine;
  private volatile HealthProber chosen;

  public EngineProber(Engine engine) {
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  /** The prober in use; asks the engine on the first call (an engine error propagates and is asked again next time). */
  public HealthProber chosen() {
    HealthProber c = chosen;
    if (c == null) {
      c = engine.capabilities().probesFromHost() ? new NetworkProber() : new EngineReadinessProber(engine);
      chosen = c;
    }
    return c;
  }

  @Override
  public boolean supports(Health.Check check) {
    return chosen().supports(check);
  }

  @Override
  public ProbeResult probe(ProbeTarget target, Health.Check check, Duration timeout) {
    return chosen().probe(target, check, timeout);
  }
}
