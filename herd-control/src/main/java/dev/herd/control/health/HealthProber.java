package dev.herd.control.health;

import dev.herd.spec.Health;
import java.time.Duration;

/**
 * Runs one health check against one node. Real runs use {@link NetworkProber}; fake-engine tests
 * answer from the fake's health hook. Called on virtual threads; must honour {@code timeout}.
 */
public interface HealthProber {
  ProbeResult probe(ProbeTarget target, Health.Check check, Duration timeout);

  /** False for check kinds this prober cannot run; the controller refuses such fleets up front. */
  default boolean supports(Health.Check check) {
    return true;
  }
}
