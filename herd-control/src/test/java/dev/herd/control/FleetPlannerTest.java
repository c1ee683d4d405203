package dev.herd.control;

import static dev.herd.control.state.EventKind.DRIFT_DETECTED;
import static dev.herd.control.state.EventKind.NODE_ADOPTED;
import static dev.herd.control.state.EventKind.NODE_CRASHLOOP;
import static dev.herd.control.state.EventKind.NODE_QUARANTINED;
import static dev.herd.control.state.EventKind.NODE_RECYCLED;
import static dev.herd.control.state.EventKind.NODE_REMOVED;
import static dev.herd.control.state.EventKind.NODE_REPLACED;
import static dev.herd.control.state.EventKind.NODE_VANISHED;
import static dev.herd.control.state.EventKind.ORPHAN_REMOVED;
import static dev.herd.control.state.EventKind.ROLLBACK;
import static dev.herd.control.state.EventKind.ROLLOUT_COMPLETED;
import static dev.herd.control.state.EventKind.ROLLOUT_FAILED;
import static dev.herd.control.state.EventKind.ROLLOUT_PROMOTED;
import static dev.herd.control.state.EventKind.ROLLOUT_SWITCHED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.drift.DriftFinding;
import dev.herd.control.drift.DriftKind;
import dev.herd.control.health.NodeHealth;
import dev.herd.control.state.EventKind;
import dev.herd.control.state.FleetRecord;
import dev.herd.control.state.FleetSettings;
import dev.herd.control.state.NodePhase;
import dev.herd.control.state.NodeRecord;
import dev.herd.control.state.Release;
import dev.herd.control.state.ReleaseSpec;
import dev.herd.control.state.RoleRuntime;
import dev.herd.control.state.Rollout;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeRef;
import dev.herd.engine.NodeState;
import dev.herd.spec.Amount;
import dev.herd.spec.Fleet;
import dev.herd.spec.NamePattern;
import dev.herd.spec.Size;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The planner in memory, one case per situation (after Nomad's reconcile_test.go): a snapshot
 * in, the plan's engine actions and events out. Actions read: {@code +web-2@web:v2} create slot
 * web-2 on web:v2 (a kind after it when not NODE_CREATED), {@code -web-1-g1} remove, {@code q
 * web-1-g1} quarantine, {@code ~web-1-g1} finish an earlier removal, {@code stop x}, {@code
 * stray x}, {@code drop x} (record of a vanished container), {@code adopt x}.
 */
class FleetPlannerTest {
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final String V1 = "web:v1";
  static final String V2 = "web:v2";
  static final String V3 = "web:v3";

  record Case(String name, World world, List<String> actions, List<EventKind> events, Consumer<FleetPlan> more) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case c(String name, World w, List<String> actions, List<EventKind> events) {
    return new Case(name, w, actions, events, p -> {});
  }

  static Case c(String name, World w, List<String> actions, List<EventKind> events, Consumer<FleetPlan> more) {
    return new Case(name, w, actions, events, more);
  }

  static Stream<Case> cases() {
    return Stream.of(
        // ---- steady state, creation, healing ---------------------------------------------
        c("new fleet starts every slot", world(3), List.of("+web-1@web:v1", "+web-2@web:v1", "+web-3@web:v1"), List.of(),
            p -> assertThat(p.creates()).allMatch(x -> x.why().equals("new fleet"))),
        c("steady fleet: nothing to do", world(3).ready(1, 1, V1).ready(2, 1, V1).ready(3, 1, V1).lastGood(V1), List.of(), List.of(),
            p -> {
              assertThat(p.updates()).isEmpty();
              assertThat(p.fleetUpdate()).isEmpty();
              assertThat(p.wakeAt()).isEmpty();
            }),
        c("fleet whole for the first time records its last good release", world(2).ready(1, 1, V1).ready(2, 1, V1), List.of(),
            List.of(ROLLOUT_COMPLETED), p -> assertThat(p.fleetUpdate().orElseThrow().lastGoodRelease()).contains(V1)),
        c("dead node: replaced under its name", world(3).ready(1, 1, V1).dead(2, 1, V1, 137).ready(3, 1, V1).lastGood(V1),
            List.of("+web-2@web:v1", "-web-2-g1"), List.of(NODE_REPLACED), p -> {
              assertThat(p.creates().getFirst().why()).isEqualTo("replaces gen 1 (exited with code 137)");
              assertThat(p.forget()).contains("web-2-g1");
            }),
        c("out of memory is said as such", world(1).deadOom(1, 1, V1).lastGood(V1), List.of("+web-1@web:v1", "-web-1-g1"),
            List.of(NODE_REPLACED), p -> assertThat(p.events().getFirst().reason())
                .isEqualTo("web-1 replaced: killed: out of memory (exit code 137)")),
        c("unhealthy verdict: replaced", world(2).ready(1, 1, V1).unhealthy(2, 3, V1).lastGood(V1),
            List.of("+web-2@web:v1", "-web-2-g3"), List.of(NODE_REPLACED),
            p -> assertThat(p.events().getFirst().reason()).isEqualTo("web-2 replaced: health check failed 3 times (HTTP 500)")),
        c("on_unhealthy quarantine keeps the container stopped and starts a replacement",
            world(2).quarantine().ready(1, 1, V1).unhealthy(2, 1, V1).lastGood(V1), List.of("+web-2@web:v1", "q web-2-g1"),
            List.of(NODE_QUARANTINED), p -> {
              NodeRecord q = p.updates().stream().filter(r -> r.phase() == NodePhase.QUARANTINED).findFirst().orElseThrow();
              assertThat(q.until()).isEqualTo(NOW.plus(Duration.ofHours(1)));
              assertThat(q.snapshot()).startsWith("release=web:v1\nport=20002\n");
            }),
        c("quarantined node still running is stopped", world(1).ready(1, 2, V1).quarantined(1, 1, V1, true, NOW.plusSeconds(60))
            .lastGood(V1), List.of("stop web-1-g1"), List.of(), p -> assertThat(p.wakeAt()).contains(NOW.plusSeconds(60))),
        c("quarantine retention over: removed", world(1).ready(1, 2, V1).quarantined(1, 1, V1, false, NOW.minusSeconds(1))
            .lastGood(V1), List.of("-web-1-g1"), List.of(NODE_REMOVED)),
        c("a record whose container vanished is dropped and its slot refilled", world(2).ready(1, 1, V1).recordOnly(2, 1, V1,
            NodePhase.HEALTHY).lastGood(V1), List.of("drop web-2-g1", "+web-2@web:v1"), List.of(NODE_VANISHED)),
        c("a CREATING record without container (stopped mid-start) is dropped quietly", world(1).recordOnly(1, 1, V1,
            NodePhase.CREATING).lastGood(V1), List.of("drop web-1-g1", "+web-1@web:v1"), List.of()),
        c("a REMOVING record is finished without a new event", world(1).ready(1, 2, V1).removing(1, 1, V1).lastGood(V1),
            List.of("~web-1-g1"), List.of()),
        c("CREATING record whose container exists becomes STARTING", world(1).creating(1, 1, V1).lastGood(V1), List.of(),
            List.of(), p -> assertThat(p.updates()).extracting(NodeRecord::phase).containsExactly(NodePhase.STARTING)),
        c("container without record, running past grace + min_healthy_time (a restored herd.db), is adopted ready",
            world(1).engineOnly(1, 4, V1, true).lastGood(V1), List.of("adopt web-1-g4"), List.of(NODE_ADOPTED), p -> {
              assertThat(p.updates()).extracting(NodeRecord::generation).containsExactly(4L);
              assertThat(p.updates()).extracting(NodeRecord::phase).containsExactly(NodePhase.HEALTHY);
            }),
        c("a young container without record (controller killed right after the start) must prove itself",
            world(1).engineOnlyStarted(1, 2, V1, NOW.minusSeconds(1)).lastGood(V1), List.of("adopt web-1-g2"), List.of(NODE_ADOPTED),
            p -> assertThat(p.updates()).extracting(NodeRecord::phase).containsExactly(NodePhase.STARTING)),
        c("an OOM kill inside a running node is said, the node stays", world(1).ready(1, 1, V1).lastGood(V1).oom(1, 1, 1, 1),
            List.of(), List.of(EventKind.NODE_OOM), p -> assertThat(p.events().getFirst().reason())
                .isEqualTo("web-1 (gen 1): process OOM-killed (no memory limit)")),
        c("repeated OOM kills make the node unhealthy: replaced", world(1).ready(1, 1, V1).lastGood(V1).oom(1, 1, 2, 3),
            List.of("+web-1@web:v1", "-web-1-g1"), List.of(EventKind.NODE_OOM, NODE_REPLACED),
            p -> assertThat(p.events().get(1).reason()).startsWith("web-1 replaced: OOM-killed 3 times within 10m")),
        c("container with the fleet's labels and a foreign name is a stray", world(1).ready(1, 1, V1).lastGood(V1)
            .stray("cache-1-g1"), List.of("stray cache-1-g1"), List.of(ORPHAN_REMOVED),
            p -> assertThat(p.drift()).extracting(DriftFinding::kind).containsExactly(DriftKind.ORPHAN)),
        c("scale down removes the highest names first", world(1).ready(1, 1, V1).ready(2, 1, V1).ready(3, 1, V1).lastGood(V1),
            List.of("-web-3-g1", "-web-2-g1"), List.of(NODE_REMOVED, NODE_REMOVED)),
        c("scale up fills the new slots", world(3).ready(1, 1, V1).lastGood(V1), List.of("+web-2@web:v1", "+web-3@web:v1"), List.of(),
            p -> assertThat(p.creates()).allMatch(x -> x.why().equals("fleet needs 3 nodes"))),
        c("starts back off after a failure: nothing created until the retry", world(2).lastGood(V1)
            .startFailure(NOW.plusSeconds(4)), List.of(), List.of(), p -> assertThat(p.wakeAt()).contains(NOW.plusSeconds(4))),
        c("backoff over: starts again", world(1).lastGood(V1).startFailure(NOW.minusSeconds(1)), List.of("+web-1@web:v1"), List.of()),
        c("drift with replace: the node is replaced in the same round", world(1).ready(1, 1, V1).lastGood(V1)
            .drift(1, 1, DriftKind.CONFIG, "config file /etc/herd/app.conf changed"), List.of("+web-1@web:v1", "-web-1-g1"),
            List.of(NODE_REPLACED), p -> assertThat(p.drift()).extracting(DriftFinding::action).containsExactly(DriftFinding.REPLACED)),

        // ---- max_age -----------------------------------------------------------------------
        c("max_age: the oldest over-age node is recycled with a surge node", world(2).maxAge("1h").bornAgo(1, 1, V1, "2h")
            .bornAgo(2, 1, V1, "3h").lastGood(V1), List.of("+web-2@web:v1 NODE_RECYCLED"), List.of()),
        c("max_age without surge: remove first when availability allows", world(2).rolling("0", "1").maxAge("1h")
            .bornAgo(1, 1, V1, "2h").bornAgo(2, 1, V1, "30m").lastGood(V1), List.of("+web-1@web:v1", "-web-1-g1"),
            List.of(NODE_RECYCLED)),
        c("max_age not reached: wake up at the expiry", world(2).maxAge("1h").bornAgo(1, 1, V1, "10m").bornAgo(2, 1, V1, "20m")
            .lastGood(V1), List.of(), List.of(), p -> assertThat(p.wakeAt()).contains(NOW.plus(Duration.ofMinutes(40)))),
        c("max_age waits while a node is not ready", world(2).maxAge("1h").bornAgo(1, 1, V1, "2h").starting(2, 1, V1).lastGood(V1),
            List.of(), List.of()),

        // ---- rolling -----------------------------------------------------------------------
        c("rolling surge 1: one new node at a time", rolling(3, "1", "0"), List.of("+web-1@web:v2"), List.of(),
            p -> assertThat(p.creates().getFirst().why()).isEqualTo("rolling update web:v1 → web:v2")),
        c("rolling surge 2: two at a time", rolling(3, "2", "0"), List.of("+web-1@web:v2", "+web-2@web:v2"), List.of()),
        c("rolling surge 25% of 8 rounds up to 2", rolling(8, "25%", "0"), List.of("+web-1@web:v2", "+web-2@web:v2"), List.of()),
        c("rolling surge 10% of 8 still makes progress (rounds up to 1)", rolling(8, "10%", "0"), List.of("+web-1@web:v2"), List.of()),
        c("rolling without surge removes first (max_unavailable 1)", rolling(3, "0", "1"), List.of("-web-1-g1", "+web-1@web:v2"),
            List.of(NODE_REMOVED)),
        c("rolling max_unavailable 50% of 4: two removed first", rolling(4, "0", "50%"),
            List.of("-web-1-g1", "+web-1@web:v2", "-web-2-g1", "+web-2@web:v2"), List.of(NODE_REMOVED, NODE_REMOVED)),
        c("rolling max_unavailable 25% of 3 rounds down to 0: surge carries it", rolling(3, "1", "25%"), List.of("+web-1@web:v2"),
            List.of()),
        c("an unready old node costs no availability", world(3).rolling("0", "1").ready(1, 1, V1).ready(2, 1, V1).starting(3, 1, V1)
            .rollout(V1, V2).lastGood(V1), List.of("-web-3-g1", "+web-3@web:v2"), List.of(NODE_REMOVED)),
        c("new node ready: the old one goes and the rollout progresses", world(2).ready(1, 1, V1).ready(1, 2, V2).ready(2, 1, V1)
            .rollout(V1, V2).lastGood(V1), List.of("+web-2@web:v2", "-web-1-g1"), List.of(NODE_REMOVED),
            p -> assertThat(p.rolloutUpdate().orElseThrow().orElseThrow().progressAt()).isEqualTo(NOW)),
        c("new node healthy but not yet min_healthy_time: old one kept, wake when it is", world(2).ready(1, 1, V1)
            .healthySince(1, 2, V2, NOW.minusSeconds(1)).ready(2, 1, V1).rollout(V1, V2).lastGood(V1), List.of(), List.of(),
            p -> assertThat(p.wakeAt()).contains(NOW.plusSeconds(1))),
        c("a new node on the old release is superseded when it is not healthy", world(1).starting(1, 2, V1).ready(1, 3, V2)
            .rollout(V1, V2).lastGood(V1), List.of("-web-1-g2"), List.of(NODE_REMOVED)),
        c("rollout done: completed, last good moves, rollout cleared", world(2).ready(1, 2, V2).ready(2, 2, V2).rollout(V1, V2)
            .lastGood(V1), List.of(), List.of(ROLLOUT_COMPLETED), p -> {
              assertThat(p.rolloutUpdate()).contains(Optional.empty());
              assertThat(p.fleetUpdate().orElseThrow().lastGoodRelease()).contains(V2);
            }),
        c("no progress for progress_deadline: rolls back to the last good release", rolling(2, "1", "0")
            .rolloutStarted(NOW.minusSeconds(31)).unhealthy(1, 2, V2), List.of("-web-1-g2"),
            List.of(ROLLBACK, NODE_REPLACED), p -> {
              assertThat(p.events().getFirst().reason()).startsWith("rollout of web:v2 failed: no progress for 30s");
              Rollout r = p.rolloutUpdate().orElseThrow().orElseThrow();
              assertThat(r.rollback()).isTrue();
              assertThat(r.toRelease()).isEqualTo(V1);
              assertThat(p.fleetUpdate().orElseThrow().currentRelease()).isEqualTo(V1);
            }),
        c("no progress with auto_rollback off: holds in FAILED", rolling(2, "1", "0").noAutoRollback()
            .rolloutStarted(NOW.minusSeconds(31)), List.of(), List.of(ROLLOUT_FAILED),
            p -> assertThat(p.rolloutUpdate().orElseThrow().orElseThrow().state()).isEqualTo(Rollout.State.FAILED)),
        c("a failing rollback holds", world(2).ready(1, 1, V2).ready(2, 1, V2).rollbackRollout(V2, V1)
            .rolloutStarted(NOW.minusSeconds(31)), List.of(),
            List.of(ROLLOUT_FAILED), p -> assertThat(p.events().getFirst().reason()).endsWith("the rollback itself failed: holding, fix and apply again")),
        c("before the deadline: wake up at it", rolling(2, "1", "0").rolloutStarted(NOW.minusSeconds(10)), List.of("+web-1@web:v2"),
            List.of(), p -> assertThat(p.wakeAt()).contains(NOW.plusSeconds(20))),
        // ---- crash loop: nodes that die soon after starting ------------------------------------
        c("crash loop: a first quick death is replaced at once, and remembered", world(1).lastGood(V1).diedAtStart(1, 2, V1, 1),
            List.of("+web-1@web:v1", "-web-1-g2"), List.of(NODE_REPLACED),
            p -> assertThat(p.crashLoops()).containsEntry(1, new CrashLoop(V1, 1, NOW))),
        c("crash loop: a second quick death backs off 1s, said once", world(1).lastGood(V1)
            .crashLoop(1, V1, 1, NOW.minusSeconds(1)).diedAtStart(1, 3, V1, 1),
            List.of("-web-1-g3"), List.of(NODE_CRASHLOOP, NODE_REPLACED), p -> {
              assertThat(p.wakeAt()).contains(NOW.plusSeconds(1));
              assertThat(p.events().getFirst().reason()).isEqualTo("web-1 died 2 times within 10s of starting (exited with code 1);"
                  + " next start in 1s, waiting twice as long after each quick death (up to 5m)");
            }),
        c("crash loop: the fifth quick death waits 8s, no new event", world(1).lastGood(V1)
            .crashLoop(1, V1, 4, NOW.minusSeconds(4)).diedAtStart(1, 5, V1, 1),
            List.of("-web-1-g5"), List.of(NODE_REPLACED), p -> {
              assertThat(p.wakeAt()).contains(NOW.plusSeconds(8));
              assertThat(p.crashLoops().get(1).deaths()).isEqualTo(5);
            }),
        c("crash loop: the wait is capped at 5m", world(1).lastGood(V1).crashLoop(1, V1, 40, NOW.minusSeconds(1)).diedAtStart(1, 41, V1, 1),
            List.of("-web-1-g41"), List.of(NODE_REPLACED), p -> assertThat(p.wakeAt()).contains(NOW.plusSeconds(300))),
        c("crash loop: an empty slot waits for its time", world(2).lastGood(V1).ready(2, 1, V1).crashLoop(1, V1, 3, NOW.plusSeconds(2)),
            List.of(), List.of(), p -> assertThat(p.wakeAt()).contains(NOW.plusSeconds(2))),
        c("crash loop: its time come, the slot starts again", world(1).lastGood(V1).crashLoop(1, V1, 3, NOW),
            List.of("+web-1@web:v1"), List.of(), p -> {
              assertThat(p.crashLoops()).containsKey(1);
              assertThat(p.creates().getFirst().why()).isEqualTo("starts again after 3 quick deaths in a row (crash-loop backoff)");
            }),
        c("crash loop: a node healthy past the quick window ends it", world(1).lastGood(V1).crashLoop(1, V1, 3, NOW.minusSeconds(70))
            .ready(1, 4, V1), List.of(), List.of(), p -> assertThat(p.crashLoops()).isEmpty()),
        c("crash loop: a node healthy on another release ends nothing", rolling(1, "1", "0").crashLoop(1, V2, 3, NOW.plusSeconds(2)),
            List.of(), List.of(), p -> assertThat(p.crashLoops()).containsKey(1)),
        c("crash loop: a long-lived node's death is replaced at once and ends it", world(1).lastGood(V1)
            .crashLoop(1, V1, 5, NOW.plusSeconds(60)).dead(1, 6, V1, 1),
            List.of("+web-1@web:v1", "-web-1-g6"), List.of(NODE_REPLACED), p -> assertThat(p.crashLoops()).isEmpty()),
        c("crash loop: a node healthy for a moment that dies within 10s of its start counts", world(1).lastGood(V1)
            .crashLoop(1, V1, 1, NOW.minusSeconds(5)).bornAgo(1, 2, V1, "5s").kill(1, 2, 1),
            List.of("-web-1-g2"), List.of(NODE_CRASHLOOP, NODE_REPLACED)),
        c("crash loop: a rollback to the old release starts at once", world(1).rollbackRollout(V2, V1)
            .crashLoop(1, V2, 4, NOW.plusSeconds(8)), List.of("+web-1@web:v1"), List.of()),
        c("crash loop: a rollout waiting out a crash-looping slot spreads no further", rolling(2, "1", "0")
            .crashLoop(1, V2, 2, NOW.plusSeconds(1)), List.of(), List.of(), p -> assertThat(p.wakeAt()).contains(NOW.plusSeconds(1))),
        c("crash loop: a crash-looping rollout still rolls back at its deadline", rolling(2, "1", "0").rolloutStarted(NOW.minusSeconds(31))
            .crashLoop(1, V2, 4, NOW.plusSeconds(4)), List.of(), List.of(ROLLBACK, ROLLOUT_COMPLETED),
            p -> assertThat(p.fleetUpdate().orElseThrow().currentRelease()).isEqualTo(V1)),
        c("crash loop: a canary dying at start fails the rollout at once", canary(2, 1, "1m").crashLoop(1, V2, 1, NOW.minusSeconds(2))
            .diedAtStart(1, 2, V2, 1), List.of("-web-1-g2"), List.of(NODE_CRASHLOOP, ROLLBACK, NODE_REPLACED),
            p -> assertThat(p.fleetUpdate().orElseThrow().currentRelease()).isEqualTo(V1)),

        c("paused rollout replaces nothing", rolling(2, "1", "0").paused(), List.of(), List.of()),
        c("paused rollout still heals a dead node", rolling(2, "1", "0").paused().kill(2, 1, 1),
            List.of("+web-2@web:v2", "-web-2-g1"), List.of(NODE_REPLACED)),
        c("scale during a rollout: the new slot starts on the new release", world(3).ready(1, 1, V1).ready(2, 1, V1)
            .rollout(V1, V2).lastGood(V1), List.of("+web-1@web:v2", "+web-2@web:v2", "+web-3@web:v2"), List.of(),
            p -> assertThat(p.creates().get(2).why()).isEqualTo("fleet needs 3 nodes")),
        c("scale down during a rollout removes the extra slot first", world(1).ready(1, 1, V1).ready(2, 1, V1).rollout(V1, V2)
            .lastGood(V1), List.of("+web-1@web:v2", "-web-2-g1"), List.of(NODE_REMOVED)),

        // ---- canary ------------------------------------------------------------------------
        c("canary: only the canary slots move", canary(3, 1, "1m"), List.of("+web-1@web:v2"), List.of()),
        c("canary count 2 with surge 1 moves one at a time", canary(3, 2, "1m"), List.of("+web-1@web:v2"), List.of()),
        c("a failing canary fails the rollout at once and rolls back", canary(3, 1, "1m").rolloutStarted(NOW.minusSeconds(1))
            .unhealthy(1, 2, V2), List.of("-web-1-g2"), List.of(ROLLBACK, NODE_REPLACED),
            p -> assertThat(p.events().getFirst().reason()).contains("canary web-1 (gen 2) on web:v2: health check failed")),
        c("canary settled: waits promote_after", canary(2, 1, "1m").replaceWith(1, 2, V2), List.of(), List.of(), p -> {
          assertThat(p.rolloutUpdate().orElseThrow().orElseThrow().canaryHealthySince()).isEqualTo(NOW);
          assertThat(p.wakeAt()).as("the progress deadline comes first; then waiting is no stall").contains(NOW.plusSeconds(25));
        }),
        c("canary healthy for promote_after: promoted", canary(2, 1, "1m").replaceWith(1, 2, V2).canaryHealthySince(NOW.minusSeconds(60)),
            List.of(), List.of(ROLLOUT_PROMOTED), p -> assertThat(p.rolloutUpdate().orElseThrow().orElseThrow().promoted()).isTrue()),
        c("canary with promote_after 0s waits for the operator", canary(2, 1, "0s").replaceWith(1, 2, V2), List.of(), List.of(),
            p -> assertThat(p.events()).isEmpty()),
        c("promoted canary updates the rest as rolling", canary(2, 1, "1m").replaceWith(1, 2, V2).promoted(), List.of("+web-2@web:v2"),
            List.of()),

        // ---- blue/green --------------------------------------------------------------------
        c("blue/green starts the whole new set beside the old", blueGreen(2), List.of("+web-1@web:v2", "+web-2@web:v2"), List.of()),
        c("blue/green: all new ready → switch, old set kept", blueGreen(2).ready(1, 2, V2).ready(2, 2, V2), List.of(),
            List.of(ROLLOUT_SWITCHED), p -> {
              assertThat(p.rolloutUpdate().orElseThrow().orElseThrow().switchedAt()).isEqualTo(NOW);
              assertThat(p.wakeAt()).contains(NOW.plusSeconds(10));
            }),
        c("blue/green within remove_old_after keeps the old set", blueGreen(2).ready(1, 2, V2).ready(2, 2, V2)
            .switched(NOW.minusSeconds(5)), List.of(), List.of(), p -> assertThat(p.wakeAt()).contains(NOW.plusSeconds(5))),
        c("blue/green after remove_old_after removes the old set", blueGreen(2).ready(1, 2, V2).ready(2, 2, V2)
            .switched(NOW.minusSeconds(10)), List.of("-web-1-g1", "-web-2-g1"), List.of(NODE_REMOVED, NODE_REMOVED)),
        c("blue/green: a dead old node is not recreated", blueGreen(2).kill(2, 1, 1).ready(1, 2, V2).starting(2, 2, V2),
            List.of("-web-2-g1"), List.of(NODE_REPLACED)),

        // ---- removals still running (started by an earlier round, detached from it) ----------
        c("a removal still running is not started again", world(1).ready(1, 2, V1).removalRunning(1, 1, V1, true).lastGood(V1),
            List.of(), List.of(), p -> assertThat(p.updates()).isEmpty()),
        c("a removal still running whose container is gone: its round records it, this one drops nothing",
            world(1).ready(1, 2, V1).removalRunning(1, 1, V1, false).lastGood(V1), List.of(), List.of(), p -> {
              assertThat(p.dropped()).isEmpty();
              assertThat(p.forget()).isEmpty();
            }),
        c("next rolling wave starts while the retired nodes are still being removed (they hold no capacity)",
            world(4).rolling("2", "0").removalRunning(1, 1, V1, true).removalRunning(2, 1, V1, true).ready(1, 2, V2).ready(2, 2, V2)
                .ready(3, 1, V1).ready(4, 1, V1).rollout(V1, V2).lastGood(V1),
            List.of("+web-3@web:v2", "+web-4@web:v2"), List.of()),
        c("surge counts starting new nodes, not retired ones: wave full, nothing more", world(4).rolling("2", "0")
            .removalRunning(1, 1, V1, true).removalRunning(2, 1, V1, true).ready(1, 2, V2).ready(2, 2, V2).ready(3, 1, V1)
            .starting(3, 2, V2).ready(4, 1, V1).starting(4, 2, V2).rollout(V1, V2).lastGood(V1), List.of(), List.of()),
        c("a listed container whose removal is finishing (record already deleted) is not adopted", world(1).ready(1, 2, V1)
            .engineOnly(1, 1, V1, true).removalFinishing("web-1-g1").lastGood(V1), List.of(), List.of(),
            p -> assertThat(p.updates()).isEmpty()),
        c("deleted fleet waits for removals still running before it is gone", world(1).removalRunning(1, 1, V1, false).deleted(),
            List.of(), List.of(), p -> assertThat(p.fleetGone()).isFalse()),
        c("a REMOVING record of an earlier controller (nothing running) is finished", world(1).ready(1, 2, V1)
            .removing(1, 1, V1).lastGood(V1), List.of("~web-1-g1"), List.of()),

        // ---- more limits and strategies ------------------------------------------------------
        c("rolling surge 25% and max_unavailable 25% of 8: two started and two removed first", rolling(8, "25%", "25%"),
            List.of("+web-1@web:v2", "+web-2@web:v2", "-web-3-g1", "+web-3@web:v2", "-web-4-g1", "+web-4@web:v2"),
            List.of(NODE_REMOVED, NODE_REMOVED)),
        c("rolling surge 100% of 3: the whole fleet at once", rolling(3, "100%", "0"),
            List.of("+web-1@web:v2", "+web-2@web:v2", "+web-3@web:v2"), List.of()),
        c("max_unavailable 1 with an unhealthy old node: it is the one unavailable; its room starts a new node, no ready one goes",
            world(3).rolling("0", "1").ready(1, 1, V1).unhealthy(2, 1, V1).ready(3, 1, V1).rollout(V1, V2).lastGood(V1),
            List.of("+web-1@web:v2", "+web-2@web:v2", "-web-2-g1"), List.of(NODE_REPLACED)),
        c("a dead old node during a rollout is replaced on the new release", rolling(2, "1", "0").kill(2, 1, 1),
            List.of("+web-1@web:v2", "+web-2@web:v2", "-web-2-g1"), List.of(NODE_REPLACED)),
        c("max_age does not recycle during a rollout", rolling(2, "1", "0").maxAge("1m").paused(), List.of(), List.of()),
        c("quarantine of a new node during a rollout: its slot keeps the old node, the surge goes on", rolling(2, "1", "0")
            .quarantine().unhealthy(2, 2, V2), List.of("+web-1@web:v2", "q web-2-g2"), List.of(NODE_QUARANTINED)),
        c("drift with quarantine action keeps the drifted container", world(1).driftAction(Fleet.DriftAction.QUARANTINE)
            .ready(1, 1, V1).lastGood(V1).drift(1, 1, DriftKind.CONFIG, "config file /etc/herd/app.conf changed"),
            List.of("+web-1@web:v1", "q web-1-g1"), List.of(NODE_QUARANTINED)),
        c("canary failure after promotion is no canary failure: the stall deadline decides", canary(2, 1, "1m")
            .replaceWith(1, 2, V2).promoted().rolloutStarted(NOW.minusSeconds(1)).unhealthy(2, 2, V2),
            List.of("+web-2@web:v2", "-web-2-g2"), List.of(NODE_REPLACED)),
        c("rollback rolls slots back to the last good release, one surge node at a time", world(2).ready(1, 2, V2).ready(2, 2, V2)
            .rollbackRollout(V2, V1), List.of("+web-1@web:v1"), List.of(),
            p -> assertThat(p.creates().getFirst().why()).isEqualTo("rollback web:v2 → web:v1")),
        c("rollback done: completed, back on the last good release", world(2).ready(1, 3, V1).ready(2, 3, V1).rollbackRollout(V2, V1),
            List.of(), List.of(ROLLOUT_COMPLETED), p -> assertThat(p.rolloutUpdate()).contains(Optional.empty())),
        c("scale up during a paused rollout: the new slot starts on the release the rollout aims at", world(3).ready(1, 1, V1)
            .ready(2, 1, V1).rollout(V1, V2).paused().lastGood(V1), List.of("+web-3@web:v2"), List.of()),
        c("scale up during a canary: a new slot beyond the canaries starts on the old release", world(3).strategy(Fleet.Strategy.CANARY,
            "1", "0").canaryOf(1, "1m").ready(1, 1, V1).ready(2, 1, V1).rollout(V1, V2).lastGood(V1),
            List.of("+web-1@web:v2", "+web-3@web:v1"), List.of()),
        // ---- depends_on --------------------------------------------------------------------
        c("a new fleet waits while a fleet it depends on is not healthy", world(2).dependsOn("db", 0, 1).dependsOn("cache", 1, 1),
            List.of(), List.of(EventKind.FLEET_WAITING), p -> {
              assertThat(p.waiting()).contains("web waits for db (0 of 1 nodes healthy) before starting its nodes");
              assertThat(p.events().getFirst().reason()).isEqualTo(p.waiting().orElseThrow());
              assertThat(p.events().getFirst().node()).isEmpty();
            }),
        c("a wait already said is not said again", world(2).dependsOn("db", 0, 1)
            .waitSaid("web waits for db (0 of 1 nodes healthy) before starting its nodes"), List.of(), List.of(),
            p -> assertThat(p.waiting()).isPresent()),
        c("what it waits for changed: said again", world(2).dependsOn("db", 1, 2).dependsOn("cache", 0, 1)
            .waitSaid("web waits for db (0 of 2 nodes healthy), cache (0 of 1 nodes healthy) before starting its nodes"),
            List.of(), List.of(EventKind.FLEET_WAITING), p -> assertThat(p.waiting())
                .contains("web waits for db (1 of 2 nodes healthy), cache (0 of 1 nodes healthy) before starting its nodes")),
        c("a fleet it depends on that is not applied yet is waited for", world(1).dependsOnUnapplied("db"), List.of(),
            List.of(EventKind.FLEET_WAITING), p -> assertThat(p.waiting()).contains("web waits for db (not applied yet) before starting its nodes")),
        c("every dependency healthy: every slot starts, saying after what", world(2).dependsOn("db", 1, 1).dependsOn("cache", 2, 2)
            .waitSaid("web waits for db (0 of 1 nodes healthy) before starting its nodes"),
            List.of("+web-1@web:v1", "+web-2@web:v1"), List.of(), p -> {
              assertThat(p.creates()).allMatch(x -> x.why().equals("new fleet; db, cache are healthy"));
              assertThat(p.waiting()).isEmpty();
            }),
        c("a dependency scaled to 0 has nothing to wait for", world(1).dependsOn("db", 0, 0), List.of("+web-1@web:v1"), List.of()),
        c("a running fleet's rollout never waits for its dependencies", rolling(2, "1", "0").dependsOn("db", 0, 1),
            List.of("+web-1@web:v2"), List.of(), p -> assertThat(p.waiting()).isEmpty()),
        c("a running fleet heals without waiting", world(2).ready(1, 1, V1).dead(2, 1, V1, 137).lastGood(V1).dependsOn("db", 0, 1),
            List.of("+web-2@web:v1", "-web-2-g1"), List.of(NODE_REPLACED)),
        c("a running fleet scales up without waiting", world(2).ready(1, 1, V1).lastGood(V1).dependsOn("db", 0, 1),
            List.of("+web-2@web:v1"), List.of()),
        c("a fleet whose every node died starts again only once its dependencies are healthy",
            world(1).dead(1, 1, V1, 137).lastGood(V1).dependsOn("db", 0, 1), List.of("-web-1-g1"),
            List.of(EventKind.FLEET_WAITING, NODE_REPLACED)),
        c("a fleet starting again after herd down waits like a new one", world(2).lastGood(V1).dependsOn("db", 0, 1), List.of(),
            List.of(EventKind.FLEET_WAITING)),

        // ---- deletion ----------------------------------------------------------------------
        c("deleted fleet: every node removed", world(2).ready(1, 1, V1).ready(2, 1, V1).deleted(), List.of("-web-1-g1", "-web-2-g1"),
            List.of(NODE_REMOVED, NODE_REMOVED), p -> assertThat(p.fleetGone()).isFalse()),
        c("deleted fleet with nothing left is gone", world(2).deleted(), List.of(), List.of(), p -> assertThat(p.fleetGone()).isTrue()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void plans(Case c) {
    FleetPlan plan = FleetPlanner.plan(c.world().snapshot());
    assertThat(actions(plan)).as("actions").containsExactlyElementsOf(c.actions());
    assertThat(plan.events()).extracting(FleetPlan.PlannedEvent::kind).as("events: " + plan.events())
        .containsExactlyElementsOf(c.events());
    c.more().accept(plan);
    // invariants of every plan
    List<String> slotsCreated = plan.creates().stream().map(x -> "" + x.slotIndex()).toList();
    assertThat(slotsCreated).as("one create per slot").doesNotHaveDuplicates();
  }

  record DrainCase(String name, World world, List<String> drained) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Which leaving nodes the front door drains first (the fleet is exposed unless said). */
  static Stream<DrainCase> drainCases() {
    return Stream.of(
        new DrainCase("rolling: the old node leaves once its replacement is ready", world(2).exposed().ready(1, 1, V1)
            .ready(1, 2, V2).ready(2, 1, V1).rollout(V1, V2).lastGood(V1), List.of("web-1-g1_20001")),
        new DrainCase("rolling without surge: the old node is drained before it makes room", rolling(3, "0", "1").exposed(),
            List.of("web-1-g1_20001")),
        new DrainCase("unhealthy but running: may still hold requests", world(2).exposed().ready(1, 1, V1).unhealthy(2, 3, V1)
            .lastGood(V1), List.of("web-2-g3_20022")),
        new DrainCase("drift: the tampered node still serves until replaced", world(1).exposed().ready(1, 1, V1).lastGood(V1)
            .drift(1, 1, DriftKind.CONFIG, "config file /etc/herd/app.conf changed"), List.of("web-1-g1_20001")),
        new DrainCase("max_age recycling", world(2).exposed().rolling("0", "1").maxAge("1h").bornAgo(1, 1, V1, "2h")
            .bornAgo(2, 1, V1, "30m").lastGood(V1), List.of("web-1-g1_20001")),
        new DrainCase("scale-in", world(1).exposed().ready(1, 1, V1).ready(2, 1, V1).ready(3, 1, V1).lastGood(V1),
            List.of("web-3-g1_20003", "web-2-g1_20002")),
        new DrainCase("blue/green: the old set after remove_old_after", blueGreen(2).exposed().ready(1, 2, V2).ready(2, 2, V2)
            .switched(NOW.minusSeconds(10)), List.of("web-1-g1_20001", "web-2-g1_20002")),
        new DrainCase("rollback: the failed release's nodes", world(2).exposed().ready(1, 1, V2).ready(1, 2, V1).ready(2, 1, V2)
            .rollbackRollout(V2, V1), List.of("web-1-g1_20001")),
        new DrainCase("quarantine stops a node that may serve", world(2).exposed().quarantine().ready(1, 1, V1).unhealthy(2, 1, V1)
            .lastGood(V1), List.of("web-2-g1_20002")),
        new DrainCase("a removal a stopped controller left half done is drained again", world(1).exposed().ready(1, 2, V1)
            .removing(1, 1, V1).lastGood(V1), List.of("web-1-g1_20001")),
        new DrainCase("a dead node serves nothing: no drain", world(3).exposed().ready(1, 1, V1).dead(2, 1, V1, 137).ready(3, 1, V1)
            .lastGood(V1), List.of()),
        new DrainCase("a fleet without expose has no front door", world(1).ready(1, 1, V1).ready(2, 1, V1).lastGood(V1), List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("drainCases")
  void drainsLeavingNodesOfAnExposedFleet(DrainCase c) {
    FleetPlan plan = FleetPlanner.plan(c.world().snapshot());
    assertThat(plan.drains()).extracting(FleetPlan.Drain::server).as("drains; actions " + actions(plan))
        .containsExactlyElementsOf(c.drained());
    assertThat(plan.drains()).allSatisfy(d -> {
      assertThat(d.timeout()).isEqualTo(Duration.ofSeconds(7));
      assertThat(plan.removals().stream().map(r -> r.row().engineName()).toList()
          .contains(d.row().engineName()) || plan.stops().contains(d.row())).as("a drain precedes a removal or stop").isTrue();
    });
  }

  static List<String> actions(FleetPlan p) {
    List<String> out = new ArrayList<>();
    p.adopted().forEach(r -> out.add("adopt " + r.engineName()));
    p.dropped().forEach(r -> out.add("drop " + r.engineName()));
    p.strays().forEach(n -> out.add("stray " + n.name()));
    p.stops().forEach(r -> out.add("stop " + r.engineName()));
    // creates and removals interleaved as decided: a create follows the removal that made room
    List<String> cr = new ArrayList<>();
    p.creates().forEach(x -> cr.add("+web-" + x.slotIndex() + "@" + x.releaseId()
        + (x.kind() == EventKind.NODE_CREATED ? "" : " " + x.kind())));
    p.removals().forEach(r -> cr.add((r.kind() == null ? "~" : r.quarantine() ? "q " : "-") + r.row().engineName()));
    out.addAll(order(p, cr));
    return out;
  }

  /** Removals that make room come right before their slot's create; other removals after the creates. */
  private static List<String> order(FleetPlan p, List<String> cr) {
    List<String> out = new ArrayList<>();
    List<String> removals = new ArrayList<>(cr.subList(p.creates().size(), cr.size()));
    for (int i = 0; i < p.creates().size(); i++) {
      int slot = p.creates().get(i).slotIndex();
      String room = p.removals().stream().filter(r -> r.why() != null && r.why().contains("to make room")
          && r.row().slotIndex() == slot).map(r -> "-" + r.row().engineName()).findFirst().orElse(null);
      if (room != null) {
        out.add(room);
        removals.remove(room);
      }
      out.add(cr.get(i));
    }
    out.addAll(removals);
    return out;
  }

  // ---- the world: a fleet "web" of project "shop" ------------------------------------------

  static World world(int count) {
    return new World(count);
  }

  static World rolling(int count, String surge, String unavailable) {
    World w = world(count).rolling(surge, unavailable);
    for (int i = 1; i <= count; i++) {
      w.ready(i, 1, V1);
    }
    return w.rollout(V1, V2).lastGood(V1);
  }

  static World canary(int count, int canaries, String promoteAfter) {
    World w = world(count).strategy(Fleet.Strategy.CANARY, "1", "0");
    w.canary = Optional.of(new Fleet.Canary(canaries, dev.herd.spec.Durations.parse(promoteAfter)));
    for (int i = 1; i <= count; i++) {
      w.ready(i, 1, V1);
    }
    return w.rollout(V1, V2).lastGood(V1);
  }

  static World blueGreen(int count) {
    World w = world(count).strategy(Fleet.Strategy.BLUE_GREEN, "1", "0");
    w.blueGreen = Optional.of(new Fleet.BlueGreen(Duration.ofSeconds(10)));
    for (int i = 1; i <= count; i++) {
      w.ready(i, 1, V1);
    }
    return w.rollout(V1, V2).lastGood(V1);
  }

  static final class World {
    final int count;
    Fleet.Strategy strategy = Fleet.Strategy.ROLLING;
    Amount surge = Amount.nodes(1);
    Amount unavailable = Amount.nodes(0);
    boolean autoRollback = true;
    Optional<Fleet.Canary> canary = Optional.empty();
    Optional<Fleet.BlueGreen> blueGreen = Optional.empty();
    Optional<Duration> maxAge = Optional.empty();
    Fleet.OnUnhealthy onUnhealthy = Fleet.OnUnhealthy.REPLACE;
    Fleet.DriftAction driftAction = Fleet.DriftAction.REPLACE;
    String current = V1;
    Optional<String> lastGood = Optional.empty();
    boolean deleted;
    Optional<Fleet.Expose> expose = Optional.empty();
    Rollout rollout;
    UnaryOperator<Rollout> rolloutChange = r -> r;
    Deps.StartFailure startFailure;
    final List<String> dependsOn = new ArrayList<>();
    final List<FleetSnapshot.Dependency> dependencies = new ArrayList<>();
    String waitSaid;
    final List<NodeRecord> records = new ArrayList<>();
    final List<NodeInfo> engine = new ArrayList<>();
    final Map<String, NodeHealth> health = new HashMap<>();
    final Map<String, List<DriftFinding>> drift = new HashMap<>();
    final Map<String, dev.herd.control.health.OomWatch.Report> oom = new HashMap<>();
    final java.util.Set<String> removing = new java.util.HashSet<>();
    final Map<Integer, CrashLoop> crashLoops = new HashMap<>();

    World(int count) {
      this.count = count;
    }

    World rolling(String s, String u) {
      return strategy(Fleet.Strategy.ROLLING, s, u);
    }

    World strategy(Fleet.Strategy st, String s, String u) {
      strategy = st;
      surge = Amount.parse(s);
      unavailable = Amount.parse(u);
      return this;
    }

    /** A front door on 127.0.0.1:8080 with drain_timeout 7s. */
    World exposed() {
      dev.herd.spec.Location at = dev.herd.spec.Location.UNKNOWN;
      expose = Optional.of(new Fleet.Expose(8080, "127.0.0.1", Fleet.Protocol.HTTP, Duration.ofSeconds(7), 0, at, at));
      return this;
    }

    World canaryOf(int canaries, String promoteAfter) {
      canary = Optional.of(new Fleet.Canary(canaries, dev.herd.spec.Durations.parse(promoteAfter)));
      return this;
    }

    World driftAction(Fleet.DriftAction action) {
      driftAction = action;
      return this;
    }

    World noAutoRollback() {
      autoRollback = false;
      return this;
    }

    World quarantine() {
      onUnhealthy = Fleet.OnUnhealthy.QUARANTINE;
      return this;
    }

    World maxAge(String d) {
      maxAge = Optional.of(dev.herd.spec.Durations.parse(d));
      return this;
    }

    World lastGood(String r) {
      lastGood = Optional.of(r);
      return this;
    }

    World deleted() {
      deleted = true;
      return this;
    }

    World dependsOn(String fleet, int healthy, int wanted) {
      dependsOn.add(fleet);
      dependencies.add(new FleetSnapshot.Dependency(fleet, true, healthy, wanted));
      return this;
    }

    World dependsOnUnapplied(String fleet) {
      dependsOn.add(fleet);
      dependencies.add(new FleetSnapshot.Dependency(fleet, false, 0, 0));
      return this;
    }

    World waitSaid(String reason) {
      waitSaid = reason;
      return this;
    }

    /** The slot's nodes on {@code release} died quickly {@code deaths} times so far; its next start is not before {@code retryAt}. */
    World crashLoop(int slot, String release, int deaths, Instant retryAt) {
      crashLoops.put(slot, new CrashLoop(release, deaths, retryAt));
      return this;
    }

    /** A node started a second ago whose process already exited. */
    World diedAtStart(int slot, long gen, String release, int exit) {
      return starting(slot, gen, release).kill(slot, gen, exit);
    }

    World startFailure(Instant retryAt) {
      startFailure = new Deps.StartFailure(java.util.Set.of("image refused"), 1, retryAt);
      return this;
    }

    World rollout(String from, String to) {
      current = to;
      rollout = new Rollout("web", from, to, strategy, Rollout.State.RUNNING, NOW.minusSeconds(5), NOW.minusSeconds(5), null,
          false, null, false, "");
      return this;
    }

    World rollbackRollout(String from, String to) {
      current = to;
      lastGood = Optional.of(to);
      rollout = new Rollout("web", from, to, Fleet.Strategy.ROLLING, Rollout.State.RUNNING, NOW.minusSeconds(5),
          NOW.minusSeconds(5), null, false, null, true, "");
      return this;
    }

    World rolloutStarted(Instant t) {
      return change(r -> new Rollout(r.fleet(), r.fromRelease(), r.toRelease(), r.strategy(), r.state(), t, t,
          r.canaryHealthySince(), r.promoted(), r.switchedAt(), r.rollback(), r.reason()));
    }

    World paused() {
      return change(r -> r.withState(Rollout.State.PAUSED, "paused by operator"));
    }

    World promoted() {
      return change(Rollout::promote);
    }

    World switched(Instant t) {
      return change(r -> r.switched(t));
    }

    World canaryHealthySince(Instant t) {
      return change(r -> r.withCanaryHealthySince(t));
    }

    private World change(UnaryOperator<Rollout> op) {
      UnaryOperator<Rollout> before = rolloutChange;
      rolloutChange = r -> op.apply(before.apply(r));
      return this;
    }

    // nodes --------------------------------------------------------------------------------

    World ready(int slot, long gen, String release) {
      return healthySince(slot, gen, release, NOW.minusSeconds(60));
    }

    World healthySince(int slot, long gen, String release, Instant since) {
      NodeRecord r = record(slot, gen, release, NodePhase.HEALTHY, NOW.minusSeconds(120)).withHealthySince(since);
      add(r, true, null, false);
      health.put(r.engineName(), new NodeHealth(NodeHealth.State.HEALTHY, since, "HTTP 200"));
      return this;
    }

    World bornAgo(int slot, long gen, String release, String ago) {
      Instant born = NOW.minus(dev.herd.spec.Durations.parse(ago));
      NodeRecord r = record(slot, gen, release, NodePhase.HEALTHY, born).withHealthySince(born.plusSeconds(1));
      add(r, true, null, false);
      health.put(r.engineName(), new NodeHealth(NodeHealth.State.HEALTHY, r.healthySince(), "HTTP 200"));
      return this;
    }

    World starting(int slot, long gen, String release) {
      NodeRecord r = record(slot, gen, release, NodePhase.STARTING, NOW.minusSeconds(1));
      add(r, true, null, false);
      health.put(r.engineName(), NodeHealth.STARTING);
      return this;
    }

    World creating(int slot, long gen, String release) {
      NodeRecord r = record(slot, gen, release, NodePhase.CREATING, NOW.minusSeconds(1));
      add(r, true, null, false);
      health.put(r.engineName(), NodeHealth.STARTING);
      return this;
    }

    World unhealthy(int slot, long gen, String release) {
      NodeRecord r = record(slot, gen, release, NodePhase.STARTING, NOW.minusSeconds(30));
      add(r, true, null, false);
      health.put(r.engineName(), new NodeHealth(NodeHealth.State.UNHEALTHY, null, "health check failed 3 times (HTTP 500)"));
      return this;
    }

    World dead(int slot, long gen, String release, int exit) {
      add(record(slot, gen, release, NodePhase.HEALTHY, NOW.minusSeconds(120)).withHealthySince(NOW.minusSeconds(100)), false, exit,
          false);
      return this;
    }

    World deadOom(int slot, long gen, String release) {
      add(record(slot, gen, release, NodePhase.HEALTHY, NOW.minusSeconds(120)).withHealthySince(NOW.minusSeconds(100)), false, 137,
          true);
      return this;
    }

    World quarantined(int slot, long gen, String release, boolean running, Instant until) {
      NodeRecord r = record(slot, gen, release, NodePhase.HEALTHY, NOW.minusSeconds(300)).quarantined("health check failed", until,
          "release=" + release);
      add(r, running, running ? null : 143, false);
      return this;
    }

    World removing(int slot, long gen, String release) {
      add(record(slot, gen, release, NodePhase.HEALTHY, NOW.minusSeconds(300)).withPhase(NodePhase.REMOVING, "superseded"), true,
          null, false);
      return this;
    }

    /** A REMOVING node whose removal an earlier round started and is still running; its container may be gone already. */
    World removalRunning(int slot, long gen, String release, boolean onEngine) {
      NodeRecord r = record(slot, gen, release, NodePhase.HEALTHY, NOW.minusSeconds(300)).withPhase(NodePhase.REMOVING, "replaced");
      if (onEngine) {
        add(r, true, null, false);
      } else {
        records.add(r);
      }
      removing.add(r.engineName());
      return this;
    }

    World removalFinishing(String engineName) {
      removing.add(engineName);
      return this;
    }

    World recordOnly(int slot, long gen, String release, NodePhase phase) {
      NodeRecord r = record(slot, gen, release, phase, NOW.minusSeconds(60));
      records.add(phase == NodePhase.HEALTHY ? r.withHealthySince(NOW.minusSeconds(50)) : r);
      return this;
    }

    World engineOnly(int slot, long gen, String release, boolean running) {
      engine.add(info(record(slot, gen, release, NodePhase.STARTING, NOW.minusSeconds(5)), running, running ? null : 1, false));
      return this;
    }

    World engineOnlyStarted(int slot, long gen, String release, Instant started) {
      NodeRecord r = record(slot, gen, release, NodePhase.STARTING, started);
      engine.add(info(r, true, null, false));
      return this;
    }

    World oom(int slot, long gen, int newKills, int recentKills) {
      oom.put("web-" + slot + "-g" + gen, new dev.herd.control.health.OomWatch.Report(newKills, recentKills));
      return this;
    }

    World stray(String engineName) {
      engine.add(new NodeInfo("c-" + engineName, new NodeRef("shop", engineName), "web", 1, V1, digest(V1), 29999,
          NodeState.RUNNING, null, false, false, NOW, NOW, null, Map.of(), Map.of()));
      return this;
    }

    /** The node's container exited (its record still says what it was). */
    World kill(int slot, long gen, int exit) {
      String engineName = "web-" + slot + "-g" + gen;
      NodeRecord r = records.stream().filter(x -> x.engineName().equals(engineName)).findFirst().orElseThrow();
      engine.removeIf(n -> n.name().equals(engineName));
      health.remove(engineName);
      engine.add(info(r, false, exit, false));
      return this;
    }

    World replaceWith(int slot, long gen, String release) {
      records.removeIf(r -> r.slotIndex() == slot);
      engine.removeIf(n -> n.name().startsWith("web-" + slot + "-g"));
      return ready(slot, gen, release);
    }

    World drift(int slot, long gen, DriftKind kind, String detail) {
      String engineName = "web-" + slot + "-g" + gen;
      drift.put(engineName, List.of(new DriftFinding(NOW, "web", "web-" + slot, "shop-" + engineName, kind, detail, "", "k-" + engineName)));
      return this;
    }

    private static NodeRecord record(int slot, long gen, String release, NodePhase phase, Instant created) {
      String s = "web-" + slot;
      return new NodeRecord(s + "-g" + gen, "web", s, slot, gen, "c-" + s + "-g" + gen, release, 20000 + slot + 10 * (int) (gen - 1),
          phase, created, created, null, "", null, "");
    }

    private void add(NodeRecord r, boolean running, Integer exit, boolean oom) {
      records.add(r);
      engine.add(info(r, running, exit, oom));
    }

    private static NodeInfo info(NodeRecord r, boolean running, Integer exit, boolean oom) {
      return new NodeInfo(r.containerId(), new NodeRef("shop", r.engineName()), "web", r.generation(), r.releaseId(),
          digest(r.releaseId()), r.port(), running ? NodeState.RUNNING : NodeState.EXITED, running ? null : exit, oom, false,
          r.createdAt(), r.startedAt(), running ? null : NOW.minusSeconds(1), Map.of(), Map.of());
    }

    static String digest(String release) {
      return "sha256:" + String.valueOf(release.charAt(release.length() - 1)).repeat(64);
    }

    FleetSnapshot snapshot() {
      Fleet.Rollout ro = new Fleet.Rollout(strategy, surge, unavailable, Duration.ofSeconds(2), Duration.ofSeconds(30), autoRollback,
          canary, blueGreen);
      FleetSettings settings = new FleetSettings("web", "web", count, NamePattern.forFleet("web"), ro, maxAge, onUnhealthy,
          Duration.ofHours(1), new Fleet.Logs(Duration.ofDays(7), Size.ofBytes(0)),
          new Fleet.Drift(driftAction, driftAction, driftAction, driftAction, Fleet.DriftAction.REPORT), expose,
          dependsOn, List.of(), Optional.empty());
      FleetRecord fleet = new FleetRecord(settings, OptionalInt.empty(), current, lastGood, deleted);
      Map<String, Release> releases = new HashMap<>();
      for (String id : List.of(V1, V2, V3)) {
        RoleRuntime rt = new RoleRuntime("web", List.of("/srv/web", "--port", "${PORT}"), Map.of(), true, List.of(), Optional.empty(),
            0, 0);
        int v = Integer.parseInt(id.substring(id.length() - 1));
        releases.put(id, new Release(id, "web", v, new ReleaseSpec(digest(id), 1, Map.of(), rt), NOW.minusSeconds(3600)));
      }
      return new FleetSnapshot(NOW, fleet, Optional.ofNullable(rollout).map(rolloutChange), engine, records, releases, health, drift,
          oom, Optional.ofNullable(startFailure), removing, dependencies, Optional.ofNullable(waitSaid), crashLoops);
    }
  }
}
