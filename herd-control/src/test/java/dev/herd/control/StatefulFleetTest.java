package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.state.EventKind;
import dev.herd.engine.NodeRef;
import dev.herd.engine.VolumeInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fleet with volumes: each generation of a node finds its volume, and never shares it with another container. */
class StatefulFleetTest {
  static final String RECREATE = """
      strategy: recreate
      min_healthy_time: 2s
      progress_deadline: 30s
      """;
  static final String VOLUMES = """
      volumes:
        data: {path: /data}
      """;

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

  private Optional<String> read(String engineName, String path) {
    return sim.fake.readVolumeFile(new NodeRef(Sim.PROJECT, engineName), path).map(b -> new String(b, StandardCharsets.UTF_8));
  }

  @Test
  void aKilledNodeIsReplacedOnItsOwnVolumeAfterTheOldOneIsGone() {
    sim.apply(Specs.fleet(2, RECREATE, VOLUMES), Sim.V1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 2));
    sim.fake.writeByHand(new NodeRef(Sim.PROJECT, "web-1-g1"), "/data/entry.txt");

    sim.fake.crashAfter("web-1-g1", Duration.ZERO, 137);
    sim.tick();
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 2) && s.status().nodes().stream()
        .anyMatch(n -> n.engineName().equals("web-1-g2")));

    assertThat(read("web-1-g2", "/data/entry.txt")).contains("touched\n");
    assertThat(read("web-2-g1", "/data/entry.txt")).as("web-2 has a volume of its own").isEmpty();
    assertThat(sim.fake.mostContainersOnOneVolume()).as("the old generation was gone before the new one started").isEqualTo(1);
    assertThat(sim.fake.listVolumes(Sim.PROJECT)).extracting(VolumeInfo::name)
        .containsExactly("shop-web-web-1-data", "shop-web-web-2-data");
  }

  @Test
  void declaredVolumesCountAgainstTheImmutabilityScore() {
    sim.apply(Specs.fleet(1, RECREATE, VOLUMES + "max_age: 1h\n"), Sim.V1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 1));
    var score = sim.controller.immutability("web");
    assertThat(score.notes()).contains("1 volume (state kept across generations): data at /data (-10)");
    assertThat(score.score()).isEqualTo(90);
  }

  @Test
  void aRollingUpdateRecreatesEachNodeOnItsVolumeOneAtATime() {
    sim.apply(Specs.fleet(3, RECREATE, VOLUMES), Sim.V1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 3));
    for (int i = 1; i <= 3; i++) {
      sim.fake.writeByHand(new NodeRef(Sim.PROJECT, "web-" + i + "-g1"), "/data/entry.txt");
    }

    sim.apply(Specs.fleet(3, RECREATE, VOLUMES), Sim.V2);
    sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v2", 3));

    for (int i = 1; i <= 3; i++) {
      assertThat(read("web-" + i + "-g2", "/data/entry.txt")).as("web-%d on v2", i).contains("touched\n");
    }
    assertThat(sim.fake.mostContainersOnOneVolume()).isEqualTo(1);
    assertThat(sim.events(EventKind.NODE_CREATED)).hasSize(6);
  }

  @Test
  void scalingDownKeepsTheVolumesUnlessAskedAndAScaleUpFindsItsData() {
    sim.apply(Specs.fleet(3, RECREATE, VOLUMES), Sim.V1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 3));
    sim.fake.writeByHand(new NodeRef(Sim.PROJECT, "web-3-g1"), "/data/entry.txt");

    assertThat(sim.controller.scale("web", 2, false)).containsExactly("shop-web-web-3-data");
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 2));
    assertThat(sim.fake.listVolumes(Sim.PROJECT)).hasSize(3);

    sim.controller.scale("web", 3, false);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 3));
    String web3 = sim.status().nodes().stream().filter(n -> n.name().equals("web-3")).findFirst().orElseThrow().engineName();
    assertThat(read(web3, "/data/entry.txt")).as("the scaled-up node finds its data").contains("touched\n");

    assertThat(sim.controller.scale("web", 1, true)).containsExactly("shop-web-web-2-data", "shop-web-web-3-data");
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 1));
    assertThat(sim.fake.listVolumes(Sim.PROJECT)).extracting(VolumeInfo::name).containsExactly("shop-web-web-1-data");
  }

  @Test
  void downKeepsTheVolumesAndSaysSoUnlessAskedToDeleteThem() {
    sim.apply(Specs.fleet(1, RECREATE, VOLUMES), Sim.V1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 1));
    Controller.DownResult kept = sim.controller.down(Duration.ofSeconds(10));
    assertThat(kept.keptVolumes()).containsExactly("shop-web-web-1-data");
    assertThat(kept.removals()).contains("kept volume shop-web-web-1-data (herd down --delete-volumes removes them)");
    assertThat(sim.fake.listVolumes(Sim.PROJECT)).hasSize(1);

    sim.reopen();
    Controller.DownResult deleted = sim.controller.down(Duration.ofSeconds(10), true);
    assertThat(deleted.deletedVolumes()).containsExactly("shop-web-web-1-data");
    assertThat(sim.fake.listVolumes(Sim.PROJECT)).isEmpty();
  }
}
