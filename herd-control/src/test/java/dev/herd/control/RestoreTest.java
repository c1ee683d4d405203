package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.state.EventKind;
import dev.herd.control.state.StateException;
import dev.herd.db.Db;
import dev.herd.db.DbException;
import dev.herd.engine.NodeInfo;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** herd.db restored from an older copy, emptied or damaged, on the fake engine in simulated time. */
class RestoreTest {
  @TempDir Path dir;
  @TempDir Path backups;
  Sim sim;

  @AfterEach
  void close() {
    if (sim != null) {
      sim.close();
    }
  }

  private Path db() {
    return dir.resolve(Db.FILE_NAME);
  }

  private void copy(Path from, Path to) throws IOException {
    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void adoptionAfterARestoreKeepsTheAvailabilityLimit() throws IOException {
    sim = new Sim(dir);
    sim.open();
    sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V1);
    sim.runUntil(Duration.ofSeconds(30), s -> s.settledOn("web:v1", 3));
    sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V2);
    sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v2", 3));
    sim.controller.close();
    copy(db(), backups.resolve("herd.db")); // closed: the WAL is checkpointed into the file
    sim.open();
    sim.controller.rollback("web");
    sim.controller.runPending();
    sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v1", 3));
    sim.tick(Duration.ofMinutes(10)); // the fleet runs a while before the restore
    List<String> serving = sim.running().stream().map(NodeInfo::name).toList();
    sim.controller.close();

    // the operator restores the copy taken on v2: the engine runs nodes on v1 it has no record of
    copy(backups.resolve("herd.db"), db());
    Files.deleteIfExists(dir.resolve("herd.db-wal"));
    Files.deleteIfExists(dir.resolve("herd.db-shm"));
    Invariants inv = new Invariants(3, 4);
    sim.open();
    assertThat(sim.running()).extracting(NodeInfo::name).as("no serving node removed before its replacement is ready")
        .containsAll(serving);
    inv.check(sim);
    sim.runUntil(Duration.ofSeconds(90), s -> s.settledOn("web:v2", 3), () -> inv.check(sim));

    assertThat(sim.events(EventKind.NODE_ADOPTED)).hasSize(3);
    assertThat(inv.lowestHealthy).as("max_unavailable 0").isEqualTo(3);
    assertThat(inv.peakRunning).as("max_surge 1").isEqualTo(4);
  }

  @Test
  void aReleaseMintedAfterARestoreNeitherReusesANumberTheEngineShowsNorRemovesServingNodesAtOnce() throws IOException {
    sim = new Sim(dir);
    sim.open();
    sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V1);
    sim.runUntil(Duration.ofSeconds(30), s -> s.settledOn("web:v1", 3));
    sim.controller.close();
    copy(db(), backups.resolve("herd.db"));
    sim.open();
    sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V2);
    sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v2", 3));
    sim.controller.close();

    // restore the older copy (it never saw web:v2), then `herd up` applies a newer herd.yaml
    copy(backups.resolve("herd.db"), db());
    Files.deleteIfExists(dir.resolve("herd.db-wal"));
    Files.deleteIfExists(dir.resolve("herd.db-shm"));
    Invariants inv = new Invariants(3, 4);
    sim.open();
    ApplyResult r = sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V3);
    inv.check(sim);
    assertThat(r.fleet("web").release()).as("web:v2 is taken by the nodes on the engine").isEqualTo("web:v3");
    sim.runUntil(Duration.ofSeconds(90), s -> s.settledOn(r.fleet("web").release(), 3), () -> inv.check(sim));

    assertThat(sim.events(EventKind.NODE_ADOPTED)).hasSize(3);
    assertThat(sim.events(EventKind.NODE_REPLACED)).as("no node is mistaken for a drifted node of web:v3").isEmpty();
    assertThat(inv.lowestHealthy).as("max_unavailable 0").isEqualTo(3);
    assertThat(inv.peakRunning).as("max_surge 1").isEqualTo(4);
  }

  @Test
  void aStoreDamagedWhileRunningStopsThePassInsteadOfFailingNodeStartsForever() {
    sim = new Sim(dir);
    DbException damaged = new DbException(DbException.Kind.DAMAGED, db() + " is damaged (database disk image is malformed)", null);
    sim.nodeConfig = new NodeConfig() {
      @Override
      public dev.herd.engine.NodeSpec prepare(dev.herd.engine.NodeSpec spec, Launch node) {
        throw new IllegalStateException("config state: " + damaged.getMessage(), damaged);
      }

      @Override
      public void members(String fleet, List<Member> members) {}

      @Override
      public void removed(String fleet, String engineName) {}
    };
    sim.open();
    sim.apply(Specs.fleet(2, Specs.rolling(1, 0)), Sim.V1);
    for (int i = 0; i < 120; i++) {
      sim.tick();
    }

    assertThat(sim.events(EventKind.NODE_START_FAILED)).as("not a failure of the node").isEmpty();
    assertThat(sim.events(EventKind.RECONCILE_FAILED)).singleElement()
        .satisfies(e -> assertThat(e.reason()).contains(db() + " is damaged"));
    assertThat(sim.nodes()).isEmpty();
  }

  @Test
  void aControllerRefusesADamagedHerdDb() throws IOException {
    sim = new Sim(dir);
    sim.open();
    sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V1);
    sim.runUntil(Duration.ofSeconds(30), s -> s.settledOn("web:v1", 3));
    sim.controller.close();
    long size = Files.size(db());
    try (RandomAccessFile raf = new RandomAccessFile(db().toFile(), "rw")) {
      byte[] garbage = "not a b-tree page ".repeat(4096 / 18 + 1).getBytes();
      for (long page = 2; page < size / 4096; page += 2) {
        raf.seek(page * 4096);
        raf.write(garbage, 0, 4096);
      }
    }
    sim.controller = null;

    assertThat(org.assertj.core.api.Assertions.catchThrowable(sim::open)).isInstanceOf(StateException.class)
        .hasMessageContaining(db() + " is damaged").hasMessageContaining(".recover");
  }

  @Test
  void aControllerRefusesAnEmptiedHerdDb() throws IOException {
    sim = new Sim(dir);
    sim.open();
    sim.apply(Specs.fleet(2, Specs.rolling(1, 0)), Sim.V1);
    sim.runUntil(Duration.ofSeconds(30), s -> s.settledOn("web:v1", 2));
    sim.controller.close();
    Files.write(db(), new byte[0]);
    sim.controller = null;

    assertThat(org.assertj.core.api.Assertions.catchThrowable(sim::open)).isInstanceOf(StateException.class)
        .hasMessageContaining(db() + " is empty (0 bytes)");
    assertThat(Files.size(db())).isZero();
    assertThat(sim.nodes()).hasSize(2); // nothing was touched
  }
}
