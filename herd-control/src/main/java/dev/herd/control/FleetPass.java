package dev.herd.control;

import dev.herd.control.loop.Result;
import dev.herd.control.state.Batch;
import dev.herd.control.state.EventKind;
import dev.herd.control.state.FleetRecord;
import dev.herd.control.state.Release;
import dev.herd.control.state.Rollout;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.Lock;

/**
 * One reconcile round of one fleet: observe ({@link FleetObserver}: one snapshot), plan
 * ({@link FleetPlanner}: a pure function of it), act ({@link FleetActuator}: record the intent,
 * then the engine calls in parallel, then each result).
 *
 * <p>The fleet's lock is held from the observation until the intent is recorded, never across
 * an engine call that starts, stops or removes a node: an operator's pause, scale or abort waits
 * at most for one planning step, and the next round sees what they changed.
 */
final class FleetPass {
  private FleetPass() {}

  static Result run(Deps d, String name, Lock lock) {
    warmImages(d, name);
    lock.lock();
    FleetSnapshot snapshot;
    FleetPlan plan;
    FleetActuator.Outcome outcome;
    try {
      Optional<FleetRecord> fleet = d.store.fleet(name);
      if (fleet.isEmpty()) {
        lock.unlock();
        return Result.done();
      }
      snapshot = FleetObserver.observe(d, fleet.get(), d.store.rollout(name));
      plan = FleetPlanner.plan(snapshot);
    } catch (RuntimeException e) {
      lock.unlock();
      throw e;
    }
    outcome = FleetActuator.act(d, snapshot, plan, lock); // returns with the lock released
    if (plan.waiting().isPresent()) {
      d.waiting.put(name, new Deps.Waiting(plan.waiting().get(), java.util.Set.copyOf(snapshot.fleet().settings().dependsOn())));
    } else {
      d.waiting.remove(name);
    }
    if (plan.fleetGone()) {
      lock.lock();
      try {
        Batch b = new Batch().deleteFleet(name).event(snapshot.now(), name, "", EventKind.FLEET_REMOVED,
            "fleet " + name + " deleted: all its nodes are gone");
        d.publish.accept(d.store.commit(b));
      } finally {
        lock.unlock();
      }
      return Result.done();
    }
    if (outcome.acted()) {
      return Result.requeueAfter(Duration.ZERO);
    }
    Instant now = snapshot.now();
    Instant next = now.plus(d.resync);
    for (Optional<Instant> t : java.util.List.of(plan.wakeAt(), outcome.retryAt())) {
      if (t.isPresent() && t.get().isBefore(next)) {
        next = t.get();
      }
    }
    Duration wait = Duration.between(now, next);
    return Result.requeueAfter(wait.isNegative() ? Duration.ZERO : wait);
  }

  /**
   * Loads the image a running rollout starts nodes from before the lock is taken: a first load
   * can take seconds, and the lock must not wait for it. Failures are left to the round, which
   * says them. (Only a rollout's: an image no node needs is never loaded.)
   */
  private static void warmImages(Deps d, String name) {
    if (d.images == null) {
      return;
    }
    try {
      Optional<Release> target = d.store.rollout(name).filter(r -> r.state() == Rollout.State.RUNNING)
          .flatMap(r -> d.store.release(r.toRelease()));
      if (target.isPresent() && !d.ensured.contains(target.get().spec().imageDigest())) {
        FleetActuator.ensureImage(d, target.get());
      }
    } catch (RuntimeException e) {
      // the round tries again under the lock and reports it there
    }
  }
}
