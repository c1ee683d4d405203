package dev.herd.control;

import dev.herd.control.drift.DriftFinding;
import dev.herd.control.drift.DriftScan;
import dev.herd.control.drift.DriftStore;
import dev.herd.control.state.Store;
import dev.herd.engine.Engine;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * {@code herd drift} without going through a running controller: the findings a controller
 * recorded, and a detection pass against the engine now with the same comparisons, acting on
 * nothing. Reads the project's state only (safe beside a running controller).
 */
public final class DriftCheck implements AutoCloseable {
  private final Store store;
  private final DriftStore recorded;

  private DriftCheck(Store store, DriftStore recorded) {
    this.store = store;
    this.recorded = recorded;
  }

  /** Opens the state in {@code stateDir}; {@link IllegalStateException} when no controller ever ran there. */
  public static DriftCheck open(Path stateDir) {
    if (!Controller.hasState(stateDir)) {
      throw new IllegalStateException("no controller state in " + stateDir + " (run herd up first)");
    }
    Store store = Store.open(stateDir);
    try {
      return new DriftCheck(store, DriftStore.open(stateDir));
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  public boolean hasFleet(String fleet) {
    return store.fleet(fleet).isPresent();
  }

  /** Recorded findings from {@code since}, of one fleet or all (null), oldest first. */
  public List<DriftFinding> recorded(String fleet, Instant since) {
    return recorded.findings(fleet, since);
  }

  /** Of {@code keys}, those already recorded (findings seen before are not news). */
  public Set<String> known(Collection<String> keys) {
    return recorded.known(keys);
  }

  /**
   * A detection pass now, of one fleet or all (null).
   *
   * @param eventWait how long to let the engine replay past events (0 for the fake engine)
   */
  public List<DriftFinding> scan(Engine engine, String project, String fleet, Clock clock, Duration eventWait) {
    return DriftScan.run(store, engine, project, fleet, clock, eventWait);
  }

  @Override
  public void close() {
    try {
      recorded.close();
    } finally {
      store.close();
    }
  }
}
