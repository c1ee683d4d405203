package dev.herd.control.state;

import dev.herd.spec.Fleet;
import java.time.Instant;
import java.util.Objects;

/**
 * A fleet's rollout in progress, persisted at every step so a restarted controller continues it.
 *
 * @param progressAt the last time the rollout made progress (progress_deadline counts from it)
 * @param canaryHealthySince when every canary node was first seen ready (null before)
 * @param promoted canary: the rest of the fleet may move to the new release
 * @param switchedAt blue/green: when the new set took over (null before)
 * @param rollback this rollout returns to the last good release; it is never rolled back itself
 * @param reason why the rollout started, or why it is paused / failed
 */
public record Rollout(
    String fleet,
    String fromRelease,
    String toRelease,
    Fleet.Strategy strategy,
    State state,
    Instant startedAt,
    Instant progressAt,
    Instant canaryHealthySince,
    boolean promoted,
    Instant switchedAt,
    boolean rollback,
    String reason) {

  public enum State {
    RUNNING,
    PAUSED,
    /** Failed with auto_rollback off (or a failed rollback): holds still until told otherwise. */
    FAILED
  }

  public Rollout {
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(fromRelease, "fromRelease");
    Objects.requireNonNull(toRelease, "toRelease");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(progressAt, "progressAt");
    reason = reason == null ? "" : reason;
  }

  public Rollout withState(State s, String why) {
    return new Rollout(fleet, fromRelease, toRelease, strategy, s, startedAt, progressAt, canaryHealthySince, promoted,
        switchedAt, rollback, why);
  }

  public Rollout withProgress(Instant t) {
    return new Rollout(fleet, fromRelease, toRelease, strategy, state, startedAt, t, canaryHealthySince, promoted,
        switchedAt, rollback, reason);
  }

  public Rollout withCanaryHealthySince(Instant t) {
    return new Rollout(fleet, fromRelease, toRelease, strategy, state, startedAt, progressAt, t, promoted, switchedAt,
        rollback, reason);
  }

  public Rollout promote() {
    return new Rollout(fleet, fromRelease, toRelease, strategy, state, startedAt, progressAt, canaryHealthySince, true,
        switchedAt, rollback, reason);
  }

  public Rollout switched(Instant t) {
    return new Rollout(fleet, fromRelease, toRelease, strategy, state, startedAt, progressAt, canaryHealthySince,
        promoted, t, rollback, reason);
  }
}
