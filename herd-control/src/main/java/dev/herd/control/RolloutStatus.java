package dev.herd.control;

import dev.herd.control.state.Rollout;
import dev.herd.spec.Fleet;
import java.time.Instant;
import java.util.Objects;

/**
 * A fleet's rollout in progress, as status reports it.
 *
 * @param canaryHealthySince when every canary node was first seen ready (null before)
 * @param promoted canary: the rest of the fleet may move to the new release
 * @param switchedAt blue/green: when the new set took over (null before)
 * @param rollback this rollout returns to the last good release
 * @param reason why the rollout started, or why it is paused / failed
 */
public record RolloutStatus(String fromRelease, String toRelease, Fleet.Strategy strategy, State state, boolean rollback,
    boolean promoted, Instant startedAt, Instant canaryHealthySince, Instant switchedAt, String reason) {

  public enum State {
    RUNNING,
    PAUSED,
    /** Failed with auto_rollback off (or a failed rollback): holds still until told otherwise. */
    FAILED
  }

  public RolloutStatus {
    Objects.requireNonNull(fromRelease, "fromRelease");
    Objects.requireNonNull(toRelease, "toRelease");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(startedAt, "startedAt");
    reason = reason == null ? "" : reason;
  }

  static RolloutStatus of(Rollout r) {
    return new RolloutStatus(r.fromRelease(), r.toRelease(), r.strategy(), State.valueOf(r.state().name()), r.rollback(),
        r.promoted(), r.startedAt(), r.canaryHealthySince(), r.switchedAt(), r.reason());
  }
}
