package dev.herd.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VolumeSpecTest {
  static Spec load(String yaml) {
    return SpecLoader.load(Path.of("/tmp/herd-test/herd.yaml"), yaml.getBytes(StandardCharsets.UTF_8)).orThrow();
  }

  static final String SPEC = """
      project: {name: demo}
      roles:
        db:
          base: {scratch: {}}
          command: [/db]
          writable: [/tmp]
      environments:
        dev: {}
      fleets:
        db:
          role: db
          environment: dev
          count: 2
          volumes:
            data: {path: /var/lib/postgresql/data}
          backup: {every: 6h, keep: 14}
        dump:
          role: db
          environment: dev
          name: "dump{n}"
          volumes:
            data: {path: /srv}
          rollout: {strategy: recreate, max_surge: 0, max_unavailable: 1}
          backup: {command: [/dump], restore: [/load]}
        web:
          role: db
          environment: dev
          name: "web{n}"
      """;

  @Test
  void aFleetWithVolumesRecreatesOneNodeAtATimeWithoutSurge() {
    Spec spec = load(SPEC);
    Fleet db = spec.fleet("db");
    assertThat(db.volumes()).containsExactly(java.util.Map.entry("data", new Fleet.Volume("data", "/var/lib/postgresql/data")));
    assertThat(db.stateful()).isTrue();
    assertThat(db.rollout().strategy()).isEqualTo(Fleet.Strategy.RECREATE);
    assertThat(db.rollout().maxSurge()).isEqualTo(Amount.nodes(0));
    assertThat(db.rollout().maxUnavailable()).isEqualTo(Amount.nodes(1));
    assertThat(db.backup()).contains(new Fleet.Backup(List.of(), List.of(), Optional.of(Duration.ofHours(6)), 14));
    assertThat(spec.fleet("dump").backup().orElseThrow().restore()).containsExactly("/load");
    assertThat(spec.fleet("dump").backup().orElseThrow().keep()).isEqualTo(7);
    // stateless fleets keep the rolling defaults
    assertThat(spec.fleet("web").stateful()).isFalse();
    assertThat(spec.fleet("web").rollout().strategy()).isEqualTo(Fleet.Strategy.ROLLING);
    assertThat(spec.fleet("web").rollout().maxSurge()).isEqualTo(Amount.nodes(1));
  }

  @Test
  void volumeNamesJoinProjectFleetNodeAndVolume() {
    assertThat(Fleet.volumeName("shop", "db", "db-1", "data")).isEqualTo("shop-db-db-1-data");
  }

  @Test
  void recordsRefuseWhatTheLoaderRefuses() {
    assertThatThrownBy(() -> new Fleet.Volume("data", "/")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Fleet.Volume("data", "/srv/../etc")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Fleet.Backup(List.of("/dump"), List.of(), Optional.empty(), 3))
        .hasMessageContaining("restore");
    assertThatThrownBy(() -> new Fleet.Backup(List.of(), List.of(), Optional.empty(), 0)).hasMessageContaining("keep");
  }

  @Test
  void overlapIsByPathComponents() {
    assertThat(Fleet.Volume.overlap("/srv/a", "/srv/a/b")).isTrue();
    assertThat(Fleet.Volume.overlap("/srv/a", "/srv/a")).isTrue();
    assertThat(Fleet.Volume.overlap("/srv/a", "/srv/ab")).isFalse();
  }
}
