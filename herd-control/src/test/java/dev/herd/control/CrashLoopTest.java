package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.state.EventKind;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose process exits right after it starts (bad config, a missing file), on the fake
 * engine in simulated time: its slot is refilled ever more slowly, not every round.
 */
class CrashLoopTest {
  @TempDir Path dir;
  Sim sim;

  @BeforeEach
  void open() {
    sim = new Sim(dir);
    sim.open();
  }

  @AfterEach
  void close() {
    sim.close();
  }

  /** Every generation of web-1 exits with code 1 as soon as it runs. */
  private void web1AlwaysCrashes() {
    for (int gen = 1; gen <= 500; gen++) {
      sim.fake.crashAfter("web-1-g" + gen, Duration.ZERO, 1);
    }
  }

  @Test
  void aNodeThatDiesAtStartIsRestartedWithGrowingDelaysNotEveryRound() {
    web1AlwaysCrashes();
    sim.apply(Specs.fleet(1, Specs.rolling(1, 0)), Sim.V1);

    for (int s = 0; s < 60; s++) {
      sim.tick();
    }

    // starts at about 0, 1, 3, 6, 11, 20, 37 s (first death at once, then 1 s, 2 s, 4 s … after each quick death)
    int starts = sim.events(EventKind.NODE_CREATED).size();
    assertThat(starts).as("starts in 60 simulated seconds; events:\n" + sim.eventLog()).isBetween(3, 8);
    assertThat(sim.events(EventKind.NODE_CRASHLOOP)).singleElement()
        .satisfies(e -> assertThat(e.reason()).startsWith("web-1 died 2 times within 10s of starting (exited with code 1); next start in 1s"));
  }

  @Test
  void aFixedNodeThatHoldsUpEndsTheBackoffAndItsLaterDeathIsHealedAtOnce() {
    web1AlwaysCrashes();
    sim.apply(Specs.fleet(1, Specs.rolling(1, 0)), Sim.V1);
    for (int s = 0; s < 30; s++) {
      sim.tick();
    }
    for (int gen = 1; gen <= 500; gen++) {
      sim.fake.clearFaults("web-1-g" + gen);
    }
    sim.runUntil(Duration.ofMinutes(5), s -> s.settledOn("web:v1", 1));
    sim.tick(Duration.ofSeconds(30));
    long gen = sim.status().nodes().getFirst().generation();

    int created = sim.events(EventKind.NODE_CREATED).size();

    dev.herd.engine.NodeInfo node = sim.fake.inspectNode(new dev.herd.engine.NodeRef(Sim.PROJECT, "web-1-g" + gen)).orElseThrow();
    sim.fake.crashAfter("web-1-g" + gen, Duration.between(node.startedAt(), sim.clock.instant()), 137);
    sim.tick();

    // replaced in the round that saw it die, as any long-lived node
    assertThat(sim.events(EventKind.NODE_CREATED)).as(sim.eventLog()).hasSize(created + 1)
        .last().satisfies(e -> assertThat(e.reason()).contains("replaces gen " + gen));
    assertThat(sim.events(EventKind.NODE_CRASHLOOP)).hasSize(1);
  }
}
