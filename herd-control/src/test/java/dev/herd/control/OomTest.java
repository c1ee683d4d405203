package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.health.OomWatch;
import dev.herd.control.state.EventKind;
import dev.herd.engine.NodeInfo;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OOM kills inside nodes (the main process survives) on the fake engine in simulated time. */
class OomTest {
  @TempDir Path dir;
  Sim sim;

  @BeforeEach
  void open() {
    sim = new Sim(dir);
    sim.open();
    sim.apply(Specs.fleet(2, Specs.rolling(1, 0), "limits: {memory: 64Mi}"), Sim.V1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 2));
  }

  @AfterEach
  void close() {
    sim.close();
  }

  private NodeInfo web1() {
    return sim.running().stream().filter(n -> n.name().startsWith("web-1-")).findFirst().orElseThrow();
  }

  @Test
  void anOomKillIsAnEventNamingTheNodeAndItsLimit() {
    NodeInfo node = web1();
    sim.fake.oomKill(node.ref());
    sim.controller.runPending();

    assertThat(sim.events(EventKind.NODE_OOM)).singleElement().satisfies(e -> {
      assertThat(e.node()).isEqualTo("web-1");
      assertThat(e.reason()).isEqualTo("web-1 (gen 1): process OOM-killed (memory limit 64Mi)");
    });
    sim.runUntil(Duration.ofSeconds(10), s -> s.settledOn("web:v1", 2));
    assertThat(web1().id()).as("one kill does not replace the node").isEqualTo(node.id());
  }

  @Test
  void aNodeKilledRepeatedlyWithinTheWindowIsUnhealthyAndReplaced() {
    NodeInfo node = web1();
    for (int i = 0; i < OomWatch.REPEATS; i++) {
      sim.fake.oomKill(node.ref());
      sim.tick(Duration.ofMinutes(1));
    }

    assertThat(sim.events(EventKind.NODE_OOM)).hasSize(OomWatch.REPEATS);
    assertThat(sim.events(EventKind.NODE_REPLACED)).singleElement().extracting(ControllerEvent::reason).asString()
        .startsWith("web-1 replaced: OOM-killed 3 times within 10m (memory limit 64Mi)");
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 2));
    assertThat(web1().id()).isNotEqualTo(node.id());
  }

  @Test
  void killsFartherApartThanTheWindowDoNotAddUp() {
    NodeInfo node = web1();
    for (int i = 0; i < OomWatch.REPEATS; i++) {
      sim.fake.oomKill(node.ref());
      sim.tick(OomWatch.WINDOW.plusMinutes(1));
    }

    assertThat(sim.events(EventKind.NODE_OOM)).hasSize(OomWatch.REPEATS);
    assertThat(sim.events(EventKind.NODE_REPLACED)).isEmpty();
    assertThat(web1().id()).isEqualTo(node.id());
  }
}
