package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.server.ControllerHost;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herd up} on an emptied or damaged herd.db refuses before it starts anything, naming the
 * file and how to restore it (the refusals happen before engine discovery, so no engine is needed).
 */
class DamagedStateTest {
  @TempDir Path dir;

  /** A project that ran: a real herd.db with fleets, releases, nodes and events. */
  private Path projectThatRan() throws IOException {
    ApiCommandsTest project = new ApiCommandsTest();
    project.dir = dir;
    try (ControllerHost host = project.startHost()) {
      host.apply();
      project.settle(host, 3);
    }
    Path db = dir.resolve(".herd/herd.db");
    assertThat(Files.size(db)).isGreaterThan(16 * 4096L);
    return db;
  }

  @Test
  void anEmptyHerdDbIsRefusedAndLeftAsItIs() throws IOException {
    Path db = projectThatRan();
    Files.write(db, new byte[0]);

    CliRun up = CliRun.of("up", dir.toString());

    assertThat(up.exitCode()).isEqualTo(HerdCli.FAILED);
    assertThat(up.err()).contains(db + " is empty (0 bytes)", "herd up --fresh-state").doesNotContain("unexpected error");
    assertThat(Files.size(db)).isZero();
    assertThat(up.out()).doesNotContain("controller for shop running");
  }

  @Test
  void aCorruptedHerdDbIsRefusedWithHowToRestoreIt() throws IOException {
    Path db = projectThatRan();
    long size = Files.size(db);
    try (RandomAccessFile raf = new RandomAccessFile(db.toFile(), "rw")) {
      byte[] garbage = "not a b-tree page ".repeat(4096 / 18 + 1).getBytes();
      for (long page = 2; page < size / 4096; page += 2) {
        raf.seek(page * 4096);
        raf.write(garbage, 0, 4096);
      }
    }

    CliRun up = CliRun.of("up", dir.toString());

    assertThat(up.exitCode()).isEqualTo(HerdCli.FAILED);
    assertThat(up.err()).contains(db + " is damaged", "backup copy", "sqlite3 " + db + " .recover")
        .doesNotContain("unexpected error");
    assertThat(up.out()).doesNotContain("controller for shop running");
  }

  @Test
  void freshStateNeverReplacesAHerdDbWithContent() throws IOException {
    Path db = projectThatRan();
    long size = Files.size(db);

    CliRun up = CliRun.of("up", "--fresh-state", "--no-bake", dir.toString());

    assertThat(up.exitCode()).isEqualTo(HerdCli.FAILED);
    assertThat(up.err()).contains("is not empty");
    assertThat(Files.size(db)).isEqualTo(size);
  }
}
