package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.autoscale.Autoscaler;
import dev.herd.control.ControllerEvent;
import dev.herd.control.state.EventKind;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The autoscaler on the fake engine with a manual clock: CPU from engine stats, changes through scale. */
class AutoscaleTest {
  @TempDir Path dir;
  Sim sim;
  Autoscaler autoscaler;

  static final String AUTOSCALE = """
      autoscale:
        min: 2
        max: 6
        target: {cpu: 60%}
        scale_up_after: 30s
        scale_down_after: 2m
        interval: 5s""";

  @AfterEach
  void close() {
    if (autoscaler != null) {
      autoscaler.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  void start(int count, String rollout) {
    sim = new Sim(dir);
    sim.open();
    String yaml = Specs.fleet(count, rollout, AUTOSCALE);
    sim.apply(yaml, Sim.V1);
    sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v1", count));
    Spec spec = SpecLoader.load(Path.of("/tmp/herd-test/herd.yaml"), yaml.getBytes(StandardCharsets.UTF_8)).orThrow();
    autoscaler = new Autoscaler(sim.controller, sim.config);
    autoscaler.configure(spec);
  }

  List<String> scaled() {
    return sim.events(EventKind.SCALED).stream().map(ControllerEvent::reason).toList();
  }

  void seconds(int n) {
    for (int i = 0; i < n; i++) {
      sim.tick();
    }
  }

  @Test
  void busyNodesScaleTheFleetUpAfterTheWindowAndIdleOnesDownToMin() {
    start(2, Specs.rolling(1, 0));
    sim.fake.cpuLoad("web", 0.9); // 90% of one core on every node of web

    seconds(34);
    assertThat(scaled()).as("not before the load was above target for 30s").isEmpty();
    assertThat(autoscaler.state("web").orElseThrow().decision()).isEqualTo("cpu 90% > target 60%, waiting for 30s");
    seconds(11);
    assertThat(scaled()).containsExactly("web scaled 2 → 3: cpu 90% > target 60% for 30s");
    sim.runUntil(Duration.ofSeconds(30), s -> s.status().healthy() == 3);

    // each change starts a new window: the next step comes 30s of measurements later, up to max
    sim.runUntil(Duration.ofSeconds(120), s -> s.status().count() == 6);
    assertThat(scaled()).containsExactly("web scaled 2 → 3: cpu 90% > target 60% for 30s",
        "web scaled 3 → 5: cpu 90% > target 60% for 30s", "web scaled 5 → 6: cpu 90% > target 60% for 30s");
    sim.runUntil(Duration.ofSeconds(30), s -> s.status().healthy() == 6);
    seconds(60);
    assertThat(scaled()).as("at max").hasSize(3);
    assertThat(autoscaler.state("web").orElseThrow().decision()).isEqualTo("cpu 90% > target 60% but at max 6");

    sim.fake.cpuLoad("web", 0.01);
    seconds(100);
    assertThat(scaled()).as("not before 2m below target").hasSize(3);
    sim.runUntil(Duration.ofSeconds(60), s -> s.status().count() == 2);
    assertThat(scaled().getLast()).isEqualTo("web scaled 6 → 2: cpu 1% < target 60% for 2m");
    sim.runUntil(Duration.ofSeconds(30), s -> s.running().size() == 2);
  }

  @Test
  void anOperatorsScaleInBetweenWinsAndTheWindowWaitsForMeasurementsAfterIt() {
    start(2, Specs.rolling(1, 0));
    sim.fake.cpuLoad("web", 0.9);
    seconds(20);
    sim.controller.scale("web", 4);
    seconds(30);
    assertThat(sim.status().count()).isEqualTo(4);
    assertThat(scaled()).noneMatch(r -> r.contains("→"));
  }

  @Test
  void aFleetWithoutMeasurementsKeepsItsCount() {
    start(3, Specs.rolling(1, 0));
    seconds(300); // 0.01 cores: 1%, below target, yet a fleet at 3 > min 2 scales down to min only after 2m
    assertThat(sim.status().count()).isEqualTo(2);
    assertThat(scaled()).containsExactly("web scaled 3 → 2: cpu 1% < target 60% for 2m");
  }
}
