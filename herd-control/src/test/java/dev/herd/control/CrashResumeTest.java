package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.state.EventKind;
import dev.herd.engine.NodeInfo;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller killed at any instant of a rolling update leaves nothing behind: a new controller
 * on the same state and engine finishes with exactly {@code count} nodes on the new release.
 */
class CrashResumeTest {
  static final int COUNT = 3;
  @TempDir Path dir;

  @Test
  void killedAtEveryEngineCallOfARollingUpdateTheNextControllerFinishesIt() {
    int calls = changingCallsOfARollingUpdate(dir.resolve("dry-run"));
    assertThat(calls).as("1 image + 3 starts + 3 removals").isEqualTo(7);

    for (int k = 1; k <= calls; k++) {
      for (KillableEngine.Mode mode : KillableEngine.Mode.values()) {
        try (Sim sim = new Sim(dir.resolve(k + "-" + mode))) {
          upOnV1(sim);
          KillableEngine killable = new KillableEngine(sim.fake, k, mode);
          sim.controller.close();
          sim.engine = killable;
          sim.open();
          sim.apply(Specs.fleet(COUNT, Specs.rolling(1, 0)), Sim.V2);
          sim.runUntil(Duration.ofSeconds(60), s -> killable.killed());

          sim.reopen();

          String at = "killed at call " + k + " " + mode;
          sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v2", COUNT));
          assertFinished(sim, at);
        }
      }
    }
  }

  @Test
  void killedAfterEveryStepOfARollingUpdateTheNextControllerFinishesIt() {
    int steps;
    try (Sim dry = new Sim(dir.resolve("steps"))) {
      upOnV1(dry);
      dry.apply(Specs.fleet(COUNT, Specs.rolling(1, 0)), Sim.V2);
      steps = dry.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v2", COUNT));
    }
    assertThat(steps).isGreaterThan(3);

    for (int k = 0; k <= steps; k++) {
      try (Sim sim = new Sim(dir.resolve("step-" + k))) {
        upOnV1(sim);
        sim.apply(Specs.fleet(COUNT, Specs.rolling(1, 0)), Sim.V2);
        for (int s = 0; s < k; s++) {
          sim.tick();
        }

        sim.reopen();

        sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v2", COUNT));
        assertFinished(sim, "restarted after step " + k);
      }
    }
  }

  private static void upOnV1(Sim sim) {
    sim.open();
    sim.apply(Specs.fleet(COUNT, Specs.rolling(1, 0)), Sim.V1);
    sim.runUntil(Duration.ofSeconds(30), s -> s.settledOn("web:v1", COUNT));
  }

  private static int changingCallsOfARollingUpdate(Path d) {
    try (Sim sim = new Sim(d)) {
      upOnV1(sim);
      KillableEngine counting = new KillableEngine(sim.fake, Integer.MAX_VALUE, KillableEngine.Mode.BEFORE);
      sim.controller.close();
      sim.engine = counting;
      sim.open();
      sim.apply(Specs.fleet(COUNT, Specs.rolling(1, 0)), Sim.V2);
      sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v2", COUNT));
      return counting.calls();
    }
  }

  private static void assertFinished(Sim sim, String at) {
    assertThat(sim.fake.containerCount()).as(at + ": containers on the engine").isEqualTo(COUNT);
    assertThat(sim.nodes()).as(at).extracting(NodeInfo::releaseId).containsOnly("web:v2");
    assertThat(sim.nodes()).as(at).extracting(n -> n.name().replaceAll("-g\\d+$", ""))
        .containsExactly("web-1", "web-2", "web-3");
    assertThat(sim.status().nodes()).as(at).extracting(NodeStatus::phase).containsOnly(NodeStatus.Phase.HEALTHY);
    assertThat(sim.status().nodes()).as(at).extracting(NodeStatus::engineName)
        .containsExactlyElementsOf(sim.nodes().stream().map(NodeInfo::name).toList());
    assertThat(sim.events(EventKind.ORPHAN_REMOVED)).as(at + ": orphans").isEmpty();
    assertThat(sim.events(EventKind.ROLLBACK)).as(at).isEmpty();
  }
}
