package dev.herd.server.ui;

import dev.herd.control.health.HealthProber;
import dev.herd.control.health.ProbeResult;
import dev.herd.control.health.ProbeTarget;
import dev.herd.spec.Health;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers each node's last health probe (when, passed, what was seen) for the dashboard's node
 * table. Wraps the controller's prober; keyed by the node's engine name ({@code web-2-g3}), so a
 * replacement starts with no probe of its own. Bounded: entries of gone nodes are dropped once
 * the table grows past {@link #MAX_NODES}, oldest first.
 */
public final class LastProbes {
  static final int MAX_NODES = 20_000;

  /** One probe's outcome; {@code detail} is what the prober saw ("HTTP 200", "connection refused"). */
  public record Probe(Instant at, boolean ok, String detail, Duration took) {}

  private final Clock clock;
  private final Map<String, Probe> byNode = new ConcurrentHashMap<>();

  public LastProbes(Clock clock) {
    this.clock = clock;
  }

  /** {@code prober}, recording each answer here. */
  public HealthProber recording(HealthProber prober) {
    return new HealthProber() {
      @Override
      public ProbeResult probe(ProbeTarget target, Health.Check check, Duration timeout) {
        long start = System.nanoTime();
        ProbeResult r = null;
        try {
          r = prober.probe(target, check, timeout);
          return r;
        } finally {
          record(target.ref().node(), r == null ? ProbeResult.fail("prober failed") : r,
              Duration.ofNanos(System.nanoTime() - start));
        }
      }

      @Override
      public boolean supports(Health.Check check) {
        return prober.supports(check);
      }
    };
  }

  void record(String engineName, ProbeResult r, Duration took) {
    if (byNode.size() >= MAX_NODES) {
      byNode.entrySet().stream().min(Map.Entry.comparingByValue((a, b) -> a.at().compareTo(b.at())))
          .ifPresent(e -> byNode.remove(e.getKey()));
    }
    byNode.put(engineName, new Probe(clock.instant(), r.ok(), r.detail(), took));
  }

  public Optional<Probe> last(String engineName) {
    return Optional.ofNullable(byNode.get(engineName));
  }
}
