package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.control.state.EventKind;
import dev.herd.engine.NodeRef;
import dev.herd.engine.fake.FakeEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backups of a fleet's volumes: taken with a checksum, kept to `keep`, refused when damaged, restored onto fresh volumes. */
class BackupRestoreTest {
  static final String STATEFUL = """
      volumes:
        data: {path: /data}
      backup: {keep: 2}
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

  private void up(String extra) {
    sim.apply(Specs.fleet(1, StatefulFleetTest.RECREATE, extra), Sim.V1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 1));
  }

  @Test
  void aBackupRestoresOntoAFreshVolumeOfTheNodesNextGeneration() throws Exception {
    up(STATEFUL);
    sim.fake.writeByHand(new NodeRef(Sim.PROJECT, "web-1-g1"), "/data/entry.txt");

    BackupStore.BackupInfo b = sim.controller.backup("web", Optional.empty());
    assertThat(b.node()).isEqualTo("web-1");
    assertThat(b.files()).containsOnlyKeys("data.tar");
    Path tar = dir.resolve("backups/web").resolve(b.id()).resolve("data.tar");
    assertThat(Files.getPosixFilePermissions(tar)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(sim.events(EventKind.BACKUP_TAKEN)).hasSize(1);

    // after the backup: a file the restore must take away, since the archive does not have it
    sim.fake.writeByHand(new NodeRef(Sim.PROJECT, "web-1-g1"), "/data/later.txt");
    assertThat(sim.controller.restore("web", b.id(), Optional.empty())).isEqualTo("web-1");
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 1) && s.status().nodes().getFirst().generation() == 2);

    assertThat(read("web-1-g2", "/data/entry.txt")).contains("touched\n");
    assertThat(read("web-1-g2", "/data/later.txt")).isEmpty();
    assertThat(sim.events(EventKind.BACKUP_RESTORED)).singleElement()
        .satisfies(e -> assertThat(e.reason()).contains(b.id()));
  }

  @Test
  void aDamagedBackupIsRefusedBeforeAnythingChanges() throws Exception {
    up(STATEFUL);
    BackupStore.BackupInfo b = sim.controller.backup("web", Optional.empty());
    Path tar = dir.resolve("backups/web").resolve(b.id()).resolve("data.tar");
    byte[] bytes = Files.readAllBytes(tar);
    bytes[bytes.length / 3] ^= 1;
    Files.write(tar, bytes);
    var before = sim.fake.listNodes(Sim.PROJECT);
    var volumesBefore = sim.fake.listVolumes(Sim.PROJECT);

    assertThatThrownBy(() -> sim.controller.restore("web", b.id(), Optional.empty()))
        .isInstanceOf(BackupStore.BackupRefused.class).hasMessageContaining("is damaged").hasMessageContaining("nothing was changed");
    sim.controller.runPending();
    assertThat(sim.fake.listNodes(Sim.PROJECT)).isEqualTo(before);
    assertThat(sim.fake.listNodes(Sim.PROJECT)).singleElement().matches(n -> n.running() && n.generation() == 1);
    assertThat(sim.fake.listVolumes(Sim.PROJECT)).isEqualTo(volumesBefore);
    assertThat(sim.events(EventKind.BACKUP_RESTORED)).isEmpty();
  }

  @Test
  void onlyTheNewestKeepBackupsStay() {
    up(STATEFUL);
    BackupStore.BackupInfo first = sim.controller.backup("web", Optional.empty());
    sim.fake.advance(Duration.ofSeconds(1));
    sim.controller.backup("web", Optional.empty());
    sim.fake.advance(Duration.ofSeconds(1));
    BackupStore.BackupInfo third = sim.controller.backup("web", Optional.empty());
    assertThat(sim.controller.backups(Optional.of("web"))).hasSize(2).first().isEqualTo(third);
    assertThat(sim.controller.backups(Optional.empty())).extracting(BackupStore.BackupInfo::id).doesNotContain(first.id());
  }

  @Test
  void aFailingBackupCommandIsAnEventAndARefusalAndLeavesNoBackup() {
    up("""
        volumes:
          data: {path: /data}
        backup: {command: [fail], restore: [load]}
        """);
    assertThatThrownBy(() -> sim.controller.backup("web", Optional.empty()))
        .isInstanceOf(BackupStore.BackupRefused.class).hasMessageContaining("exited with 3").hasMessageContaining("oops");
    assertThat(sim.events(EventKind.BACKUP_FAILED)).hasSize(1);
    assertThat(sim.controller.backups(Optional.of("web"))).isEmpty();
    assertThat(sim.events(EventKind.DRIFT_DETECTED)).as("herd's own exec is no tamper").isEmpty();
  }

  @Test
  void aBackupCommandsStdoutIsTheArchive() throws Exception {
    up("""
        volumes:
          data: {path: /data}
        backup: {command: [dump], restore: [load]}
        """);
    sim.fake.program("dump", (volumes, out) -> {
      out.write("dumped\n".getBytes(StandardCharsets.UTF_8));
      return 0;
    });
    BackupStore.BackupInfo b = sim.controller.backup("web", Optional.empty());
    assertThat(b.kind()).isEqualTo("command");
    assertThat(Files.readString(dir.resolve("backups/web").resolve(b.id()).resolve("archive"))).isEqualTo("dumped\n");
    sim.tick();
    assertThat(sim.events(EventKind.DRIFT_DETECTED)).as("herd's own exec is no tamper").isEmpty();
  }

  static final String COMMAND_BACKUP = """
      volumes:
        data: {path: /data}
      backup: {command: [dump], restore: [load, --clean]}
      """;

  /** What the fake node's /bin/sh saw of a restore: the restore's argv and its stdin. */
  record Fed(List<String> restore, byte[] stdin, int mode) {}

  /** A /bin/sh that does what herd's restore script does: reads the file as stdin, removes it, runs the rest. */
  private List<Fed> shell(int restoreExit) {
    List<Fed> fed = new java.util.concurrent.CopyOnWriteArrayList<>();
    sim.fake.programArgv("/bin/sh", (argv, scratch, volumes, out) -> {
      if (argv.equals(List.of("/bin/sh", "-c", "exit 0"))) {
        return 0;
      }
      assertThat(argv.subList(0, 4)).containsExactly("/bin/sh", "-c", Controller.restoreExec("F", List.of()).get(2), "herd-restore");
      FakeEngine.ScratchFile f = scratch.remove(argv.get(4));
      if (f == null) {
        return 125;
      }
      fed.add(new Fed(argv.subList(5, argv.size()), f.content(), f.mode()));
      return restoreExit;
    });
    sim.fake.program("dump", (volumes, out) -> {
      out.write("dumped\n".getBytes(StandardCharsets.UTF_8));
      return 0;
    });
    return fed;
  }

  @Test
  void aCommandBackupIsFedToBackupRestoreAsStdinWhileTheNodeKeepsRunning() throws Exception {
    up(COMMAND_BACKUP);
    List<Fed> fed = shell(0);
    BackupStore.BackupInfo b = sim.controller.backup("web", Optional.empty());
    NodeRef node = new NodeRef(Sim.PROJECT, "web-1-g1");

    assertThat(sim.controller.restore("web", b.id(), Optional.empty())).isEqualTo("web-1");

    assertThat(fed).singleElement().satisfies(f -> {
      assertThat(f.restore()).containsExactly("load", "--clean");
      assertThat(new String(f.stdin(), StandardCharsets.UTF_8)).isEqualTo("dumped\n");
      assertThat(f.mode()).isEqualTo(0600);
    });
    assertThat(sim.fake.scratchFiles(node)).as("the copied archive is gone").isEmpty();
    assertThat(sim.fake.listNodes(Sim.PROJECT)).as("the node was never stopped").singleElement()
        .matches(n -> n.running() && n.generation() == 1);
    assertThat(sim.events(EventKind.BACKUP_RESTORED)).singleElement()
        .satisfies(e -> assertThat(e.reason()).contains(b.id()).contains("backup.restore"));
    sim.tick();
    assertThat(sim.events(EventKind.DRIFT_DETECTED)).as("herd's own copy and exec are no tamper").isEmpty();
  }

  @Test
  void aFailingBackupRestoreIsAnEventAndARefusalAndLeavesNoFile() {
    up(COMMAND_BACKUP);
    shell(4);
    BackupStore.BackupInfo b = sim.controller.backup("web", Optional.empty());

    assertThatThrownBy(() -> sim.controller.restore("web", b.id(), Optional.empty()))
        .isInstanceOf(BackupStore.BackupRefused.class).hasMessageContaining("load --clean exited with 4");
    assertThat(sim.events(EventKind.BACKUP_FAILED)).singleElement().satisfies(e -> assertThat(e.reason()).contains(b.id()));
    assertThat(sim.events(EventKind.BACKUP_RESTORED)).isEmpty();
    assertThat(sim.fake.scratchFiles(new NodeRef(Sim.PROJECT, "web-1-g1"))).isEmpty();
  }

  @Test
  void anImageWithoutAShellIsRefusedBeforeTheArchiveIsCopied() {
    up(COMMAND_BACKUP);
    sim.fake.program("dump", (volumes, out) -> 0);
    BackupStore.BackupInfo b = sim.controller.backup("web", Optional.empty());

    assertThatThrownBy(() -> sim.controller.restore("web", b.id(), Optional.empty()))
        .isInstanceOf(BackupStore.BackupRefused.class).hasMessageContaining("cannot run /bin/sh in web-1")
        .hasMessageContaining("nothing was changed");
    assertThat(sim.fake.scratchFiles(new NodeRef(Sim.PROJECT, "web-1-g1"))).isEmpty();
    assertThat(sim.events(EventKind.BACKUP_RESTORED)).isEmpty();
  }

  @Test
  void aDamagedCommandBackupIsRefusedBeforeAnythingRunsInTheNode() throws Exception {
    up(COMMAND_BACKUP);
    List<Fed> fed = shell(0);
    BackupStore.BackupInfo b = sim.controller.backup("web", Optional.empty());
    Path archive = dir.resolve("backups/web").resolve(b.id()).resolve("archive");
    Files.writeString(archive, "dumpeD\n");

    assertThatThrownBy(() -> sim.controller.restore("web", b.id(), Optional.empty()))
        .isInstanceOf(BackupStore.BackupRefused.class).hasMessageContaining("is damaged").hasMessageContaining("nothing was changed");
    assertThat(fed).isEmpty();
    assertThat(sim.fake.scratchFiles(new NodeRef(Sim.PROJECT, "web-1-g1"))).isEmpty();
    assertThat(sim.events(EventKind.BACKUP_RESTORED)).isEmpty();
  }

  @Test
  void theRunningControllerTakesScheduledBackupsAndKeepsTheNewest() {
    up("""
        volumes:
          data: {path: /data}
        backup: {every: 1m, keep: 2}
        """);
    sim.tick(Duration.ofSeconds(31));
    assertThat(sim.controller.backups(Optional.of("web"))).as("the first is due at once").hasSize(1);
    sim.tick(Duration.ofSeconds(31));
    assertThat(sim.controller.backups(Optional.of("web"))).as("the next one only after every").hasSize(1);
    for (int i = 0; i < 10; i++) {
      sim.tick(Duration.ofSeconds(31));
    }
    assertThat(sim.controller.backups(Optional.of("web"))).hasSize(2);
    assertThat(sim.events(EventKind.BACKUP_TAKEN).size()).as("one about every minute").isGreaterThanOrEqualTo(4);
  }

  @Test
  void aFailingScheduledBackupIsAnEventEachRetryNotEachTick() {
    up("""
        volumes:
          data: {path: /data}
        backup: {command: [fail], restore: [load], every: 5m}
        """);
    for (int i = 0; i < 12; i++) {
      sim.tick(Duration.ofSeconds(31));
    }
    assertThat(sim.events(EventKind.BACKUP_FAILED)).as("one at once, one after 5m").hasSize(2);
    assertThat(sim.controller.backups(Optional.of("web"))).isEmpty();
  }

  @Test
  void aBackupIsDueEveryAfterTheNewestAndNotBeforeARetry() {
    java.time.Instant t = java.time.Instant.parse("2026-01-01T00:00:00Z");
    Optional<Duration> sixHours = Optional.of(Duration.ofHours(6));
    assertThat(Controller.backupDue(Optional.empty(), Optional.of(t), Optional.empty())).isEmpty();
    assertThat(Controller.backupDue(sixHours, Optional.empty(), Optional.empty())).contains(java.time.Instant.MIN);
    assertThat(Controller.backupDue(sixHours, Optional.of(t), Optional.empty())).contains(t.plus(Duration.ofHours(6)));
    assertThat(Controller.backupDue(sixHours, Optional.of(t), Optional.of(t.plus(Duration.ofHours(6)))))
        .contains(t.plus(Duration.ofHours(6)).plus(Controller.BACKUP_RETRY));
    assertThat(Controller.backupDue(Optional.of(Duration.ofMinutes(2)), Optional.empty(), Optional.of(t)))
        .contains(t.plus(Duration.ofMinutes(2)));
  }
}
