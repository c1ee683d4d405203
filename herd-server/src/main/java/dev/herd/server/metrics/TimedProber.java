package dev.herd.server.metrics;

import dev.herd.control.health.HealthProber;
import dev.herd.control.health.ProbeResult;
import dev.herd.control.health.ProbeTarget;
import dev.herd.spec.Health;
import java.time.Duration;

/** A prober that times each probe for {@link HerdMetrics} (by fleet; failures counted). */
final class TimedProber implements HealthProber {
  private final HealthProber delegate;
  private final HerdMetrics metrics;

  TimedProber(HealthProber delegate, HerdMetrics metrics) {
    this.delegate = delegate;
    this.metrics = metrics;
  }

  @Override
  public ProbeResult probe(ProbeTarget target, Health.Check check, Duration timeout) {
    long start = System.nanoTime();
    boolean ok = false;
    try {
      ProbeResult r = delegate.probe(target, check, timeout);
      ok = r.ok();
      return r;
    } finally {
      metrics.probe(target.fleet(), Duration.ofNanos(System.nanoTime() - start), ok);
    }
  }

  @Override
  public boolean supports(Health.Check check) {
    return delegate.supports(check);
  }
}
