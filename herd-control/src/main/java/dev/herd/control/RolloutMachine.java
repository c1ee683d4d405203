package dev.herd.control;

import dev.herd.control.FleetPlan.PlannedEvent;
import dev.herd.control.state.EventKind;
import dev.herd.control.state.FleetRecord;
import dev.herd.control.state.FleetSettings;
import dev.herd.control.state.NodePhase;
import dev.herd.control.state.NodeRecord;
import dev.herd.control.state.Rollout;
import dev.herd.spec.Durations;
import dev.herd.spec.Fleet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A fleet's rollout as a state machine, for one round: which release each slot aims at, when the
 * rollout fails (stall or failed canary) and rolls back, and its milestones (canary promoted,
 * blue/green switched, completed). Pure: it reads the slots through {@link Slots} and says what
 * changed through {@link #fleetUpdate()}, {@link #rolloutUpdate()} and the events it adds.
 */
final class RolloutMachine {

  /** The planner's view of the fleet's slots, as the machine needs it. */
  interface Slots {
    /** The slot has its target node, ready, and nothing else (except the old set blue/green keeps). */
    boolean settled(int slot);

    /** Live nodes in the slot, not counting those on their way out. */
    int size(int slot);

    /** A live node above the fleet's count is still there (scale-down not done). */
    boolean anyAbove(int count);
  }

  private final String name;
  private final Instant now;
  private final List<PlannedEvent> events;
  private final Consumer<Instant> due;
  private FleetRecord fleet;
  private Rollout rollout;
  private boolean fleetChanged;
  private boolean rolloutChanged;

  RolloutMachine(FleetRecord fleet, Optional<Rollout> rollout, Instant now, List<PlannedEvent> events, Consumer<Instant> due) {
    this.name = fleet.name();
    this.fleet = fleet;
    this.rollout = rollout.orElse(null);
    this.now = now;
    this.events = events;
    this.due = due;
  }

  FleetRecord fleet() {
    return fleet;
  }

  Optional<Rollout> rollout() {
    return Optional.ofNullable(rollout);
  }

  Optional<FleetRecord> fleetUpdate() {
    return fleetChanged ? Optional.of(fleet) : Optional.empty();
  }

  Optional<Optional<Rollout>> rolloutUpdate() {
    return rolloutChanged ? Optional.of(Optional.ofNullable(rollout)) : Optional.empty();
  }

  private FleetSettings settings() {
    return fleet.settings();
  }

  // ---- phases ------------------------------------------------------------------------------

  boolean active() {
    return rollout != null;
  }

  /** The rollout holds (paused or failed): no replacements for it. */
  boolean holding() {
    return rollout != null && rollout.state() != Rollout.State.RUNNING;
  }

  boolean targets(NodeRecord r) {
    return rollout != null && r.releaseId().equals(rollout.toRelease());
  }

  boolean canaryPhase() {
    return rollout != null && rollout.strategy() == Fleet.Strategy.CANARY && !rollout.rollback() && !rollout.promoted();
  }

  int canaryCount() {
    return settings().rollout().canary().map(Fleet.Canary::count).orElse(1);
  }

  boolean blueGreenPhase() {
    return rollout != null && rollout.strategy() == Fleet.Strategy.BLUE_GREEN && !rollout.rollback();
  }

  Duration removeOldAfter() {
    return settings().rollout().blueGreen().map(Fleet.BlueGreen::removeOldAfter).orElse(Duration.ZERO);
  }

  /** Blue/green keeps the old set running until remove_old_after past the switch. */
  boolean keepOld() {
    return blueGreenPhase() && (rollout.switchedAt() == null || now.isBefore(rollout.switchedAt().plus(removeOldAfter())));
  }

  /** The release slot {@code slot} should run: the canary's slots move first, the rest wait for promotion. */
  String targetFor(int slot) {
    if (rollout == null) {
      return fleet.currentRelease();
    }
    if (canaryPhase() && slot > canaryCount()) {
      return rollout.fromRelease();
    }
    return rollout.toRelease();
  }

  String word() {
    if (rollout == null) {
      return "update";
    }
    return rollout.rollback() ? "rollback" : rollout.strategy().keyword().replace('_', '-') + " update";
  }

  // ---- failure -----------------------------------------------------------------------------

  /**
   * Notes progress, the last failure of a node on the new release, and fails the rollout when a
   * canary failed or nothing moved for progress_deadline.
   */
  void check(List<NodeRecord> live, boolean progress) {
    if (rollout == null) {
      return;
    }
    if (progress) {
      set(rollout.withProgress(now));
    }
    for (NodeRecord r : live) {
      if (bad(r) && r.releaseId().equals(rollout.toRelease())) {
        String failure = "last failure: " + r.label() + ": " + r.reason();
        if (!failure.equals(rollout.reason())) {
          set(rollout.withState(rollout.state(), failure));
        }
        if (canaryPhase() && r.slotIndex() <= canaryCount() && rollout.state() == Rollout.State.RUNNING) {
          fail("canary " + r.label() + " on " + r.releaseId() + ": " + r.reason());
          return;
        }
      }
    }
    if (rollout.state() != Rollout.State.RUNNING) {
      return;
    }
    Duration deadline = settings().rollout().progressDeadline();
    // waiting by design (healthy canaries before promotion, the old blue/green set before its
    // removal) is not a stall
    boolean waiting = canaryPhase() && rollout.canaryHealthySince() != null
        || blueGreenPhase() && rollout.switchedAt() != null;
    if (!deadline.isZero() && !waiting) {
      Instant limit = rollout.progressAt().plus(deadline);
      if (!now.isBefore(limit)) {
        fail("no progress for " + Durations.format(deadline)
            + (rollout.reason().startsWith("last failure: ") ? " (" + rollout.reason() + ")" : ""));
      } else {
        due.accept(limit);
      }
    }
  }

  /**
   * Progress found while deciding (an old node retired, a node removed to make room): the
   * deadline starts again. The health observations were counted by {@link #check}.
   */
  void retired(boolean progress) {
    if (progress && rollout != null && rollout.state() == Rollout.State.RUNNING && !rollout.progressAt().equals(now)) {
      set(rollout.withProgress(now));
    }
  }

  private void fail(String why) {
    String to = rollout.toRelease();
    Optional<String> good = fleet.lastGoodRelease().filter(g -> !g.equals(to));
    if (!rollout.rollback() && settings().rollout().autoRollback() && good.isPresent()) {
      String reason = "rollout of " + to + " failed: " + why + "; rolling back to " + good.get();
      event(EventKind.ROLLBACK, reason);
      fleet = fleet.withCurrent(good.get());
      fleetChanged = true;
      set(new Rollout(name, to, good.get(), Fleet.Strategy.ROLLING, Rollout.State.RUNNING, now, now, null, false, null, true,
          reason));
    } else {
      String tail = rollout.rollback() ? "; the rollback itself failed: holding, fix and apply again"
          : !settings().rollout().autoRollback() ? "; auto_rollback is off: holding (rollback, abort or apply a fix)"
          : "; there is no earlier good release to return to: holding";
      set(rollout.withState(Rollout.State.FAILED, why));
      event(EventKind.ROLLOUT_FAILED, "rollout of " + to + " failed: " + why + tail);
    }
  }

  // ---- milestones --------------------------------------------------------------------------

  /** Canary promotion, blue/green switch, completion; {@code actions}: the round removes or creates nodes. */
  void advance(Slots slots, boolean actions) {
    if (rollout == null) {
      return;
    }
    int count = fleet.count();
    if (canaryPhase() && rollout.state() == Rollout.State.RUNNING) {
      boolean settled = true;
      for (int slot = 1; slot <= Math.min(canaryCount(), count); slot++) {
        settled &= slots.settled(slot);
      }
      if (!settled && rollout.canaryHealthySince() != null) {
        set(rollout.withCanaryHealthySince(null));
      } else if (settled && rollout.canaryHealthySince() == null) {
        set(rollout.withCanaryHealthySince(now));
      }
      Duration after = settings().rollout().canary().map(Fleet.Canary::promoteAfter).orElse(Duration.ZERO);
      if (settled && !after.isZero()) {
        Instant at = rollout.canaryHealthySince().plus(after);
        if (!now.isBefore(at)) {
          set(rollout.promote().withProgress(now));
          event(EventKind.ROLLOUT_PROMOTED, "canary of " + rollout.toRelease() + " healthy for "
              + Durations.format(after) + ": promoting it to all " + count + " nodes");
          due.accept(now);
        } else {
          due.accept(at);
        }
      }
      return;
    }
    if (blueGreenPhase() && rollout.switchedAt() == null && rollout.state() == Rollout.State.RUNNING) {
      boolean all = count > 0;
      for (int slot = 1; slot <= count; slot++) {
        all &= slots.settled(slot);
      }
      if (all) {
        set(rollout.switched(now).withProgress(now));
        event(EventKind.ROLLOUT_SWITCHED, "all " + count + " new nodes healthy: switched " + name + " to "
            + rollout.toRelease() + "; old nodes removed after " + Durations.format(removeOldAfter()));
        due.accept(now.plus(removeOldAfter()));
      }
      return;
    }
    if (blueGreenPhase() && rollout.switchedAt() != null && keepOld()) {
      due.accept(rollout.switchedAt().plus(removeOldAfter()));
    }
    if (actions || keepOld() || canaryPhase() || blueGreenPhase() && rollout.switchedAt() == null) {
      return;
    }
    if (slots.anyAbove(count)) {
      return;
    }
    for (int slot = 1; slot <= count; slot++) {
      if (!slots.settled(slot) || slots.size(slot) != 1) {
        return;
      }
    }
    String to = rollout.toRelease();
    event(EventKind.ROLLOUT_COMPLETED, (rollout.rollback() ? "rollback to " : "rollout of ") + to
        + " complete: " + count + " node" + (count == 1 ? "" : "s") + " healthy on it");
    fleet = fleet.withLastGood(to);
    fleetChanged = true;
    rollout = null;
    rolloutChanged = true;
  }

  /** Without a rollout: the current release becomes the last good one once every slot is settled on it. */
  void recordLastGood(Slots slots, boolean actions) {
    if (rollout != null || actions) {
      return;
    }
    int count = fleet.count();
    if (fleet.lastGoodRelease().filter(fleet.currentRelease()::equals).isPresent()) {
      return;
    }
    for (int slot = 1; slot <= count; slot++) {
      if (!slots.settled(slot)) {
        return;
      }
    }
    fleet = fleet.withLastGood(fleet.currentRelease());
    fleetChanged = true;
    event(EventKind.ROLLOUT_COMPLETED, fleet.currentRelease() + " healthy on all " + count + " node" + (count == 1 ? "" : "s"));
  }

  static boolean bad(NodeRecord r) {
    return r.phase() == NodePhase.DEAD || r.phase() == NodePhase.UNHEALTHY;
  }

  private void set(Rollout r) {
    rollout = r;
    rolloutChanged = true;
  }

  private void event(EventKind kind, String reason) {
    events.add(new PlannedEvent("", kind, reason));
  }
}
