package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.state.EventKind;
import dev.herd.engine.ImageSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node starts that fail before a container exists (image refused, create refused) cost nothing:
 * no port lease, no generation, and the reason is said once while the fleet backs off.
 */
class StartFailureTest {
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

  private void aMinuteOfRetries() {
    for (int s = 0; s < 60; s++) {
      sim.tick();
    }
  }

  @Test
  void aFleetWhoseImageCannotLoadKeepsItsPortsAndGenerationsAndSaysWhyOnce() {
    // Docker before 25 loads only docker-archive; the Sim's images are OCI archives only
    sim.fake.loadsOnly(ImageSource.Format.DOCKER_ARCHIVE);
    sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V1);
    aMinuteOfRetries();

    assertThat(sim.controller.store().leases()).as("port leases").isEmpty();
    assertThat(sim.controller.store().generations("web").values()).as("generations").allMatch(g -> g == 0);
    assertThat(sim.events(EventKind.NODE_CREATED)).isEmpty();
    assertThat(sim.events(EventKind.RECONCILE_FAILED)).isEmpty();
    List<ControllerEvent> failed = sim.events(EventKind.NODE_START_FAILED);
    assertThat(failed).singleElement().satisfies(e -> assertThat(e.reason())
        .contains("image 111111111111 of web:v1 cannot be loaded", "loads only [DOCKER_ARCHIVE]"));
    assertThat(sim.fake.listNodes(Sim.PROJECT)).isEmpty();

    // the engine learns the format: the fleet comes up as if nothing had failed
    sim.fake.loadsOnly(ImageSource.Format.OCI_ARCHIVE);
    sim.runUntil(Duration.ofMinutes(3), s -> s.settledOn("web:v1", 3));
    assertThat(sim.status().nodes()).extracting(NodeStatus::generation).containsOnly(1L);
    assertThat(sim.status().nodes()).extracting(NodeStatus::port).containsExactlyInAnyOrder(20000, 20001, 20002);
  }

  @Test
  void createsTheEngineRefusesGiveBackPortsAndGenerationsAndAreReportedOnceForTheFleet() {
    for (String node : List.of("web-1-g1", "web-2-g1", "web-3-g1")) {
      sim.fake.failStart(node, "OCI runtime create failed: no such cgroup");
    }
    sim.controller.close();
    KillableEngine counting = new KillableEngine(sim.fake, Integer.MAX_VALUE, KillableEngine.Mode.BEFORE);
    sim.engine = counting;
    sim.open();
    sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V1);
    aMinuteOfRetries();

    // one image load, then three starts per pass at 0, 1, 3, 7, 15 and 31 s: backoff per pass, not per node
    assertThat(counting.calls()).isEqualTo(1 + 3 * 6);

    assertThat(sim.controller.store().leases()).as("port leases").isEmpty();
    assertThat(sim.controller.store().generations("web").values()).as("generations").allMatch(g -> g == 0);
    assertThat(sim.events(EventKind.NODE_START_FAILED)).singleElement()
        .satisfies(e -> assertThat(e.reason()).contains("no such cgroup").doesNotContain("web-1-g1"));
    assertThat(sim.events(EventKind.NODE_CREATED)).as("no node was created").isEmpty();

    List.of("web-1-g1", "web-2-g1", "web-3-g1").forEach(sim.fake::clearFaults);
    sim.runUntil(Duration.ofMinutes(3), s -> s.settledOn("web:v1", 3));
    assertThat(sim.status().nodes()).extracting(NodeStatus::generation).containsOnly(1L);
  }

  @Test
  void aNewReleaseIsTriedAtOnceNotAfterTheBackoffOfTheOldOne() {
    sim.fake.loadsOnly(ImageSource.Format.OCI_ARCHIVE);
    sim.dockerArchiveOnly.add(Sim.V1);
    sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V1);
    for (int s = 0; s < 40; s++) {
      sim.tick(); // the backoff has grown to 32 s: the next try of web:v1 is due at about 63 s
    }
    assertThat(sim.events(EventKind.NODE_START_FAILED)).hasSize(1);

    sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V2);
    sim.runUntil(Duration.ofSeconds(10), s -> s.settledOn("web:v2", 3));
    assertThat(sim.status().nodes()).extracting(NodeStatus::generation).containsOnly(1L);
  }
}
