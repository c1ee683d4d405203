package dev.herd.common.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Modes are herd's, not the umask's (the JVM's umask here is the usual 022, which would give 0755/0644). */
class PrivateFilesTest {
  @TempDir Path tmp;

  static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void theStateDirIsCreated0700AndAnOpenOneIsRepaired() throws IOException {
    Path state = tmp.resolve("project/.herd");
    PrivateFiles.StateDir created = PrivateFiles.openStateDir(state);
    assertThat(created.created()).isTrue();
    assertThat(mode(state)).isEqualTo("rwx------");

    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwxrwx"));
    PrivateFiles.StateDir repaired = PrivateFiles.openStateDir(state);
    assertThat(repaired.repaired()).isTrue();
    assertThat(repaired.repairedFrom()).isEqualTo("rwxrwxrwx");
    assertThat(mode(state)).isEqualTo("rwx------");
    assertThat(PrivateFiles.openStateDir(state).repaired()).isFalse();
  }

  @Test
  void everyDirectoryCreatedOnTheWayIs0700AndExistingOnesAreLeftAlone() throws IOException {
    Files.createDirectories(tmp.resolve("a"));
    Files.setPosixFilePermissions(tmp.resolve("a"), PosixFilePermissions.fromString("rwxr-xr-x"));
    PrivateFiles.directories(tmp.resolve("a/b/c"));
    assertThat(mode(tmp.resolve("a"))).isEqualTo("rwxr-xr-x");
    assertThat(mode(tmp.resolve("a/b"))).isEqualTo("rwx------");
    assertThat(mode(tmp.resolve("a/b/c"))).isEqualTo("rwx------");
  }

  @Test
  void filesAre0600HoweverTheyAreWritten() throws IOException {
    PrivateFiles.write(tmp.resolve("written"), new byte[] {1});
    PrivateFiles.replace(tmp.resolve("replaced"), new byte[] {2});
    PrivateFiles.createFile(tmp.resolve("created"));
    try (OutputStream out = PrivateFiles.newOutputStream(tmp.resolve("streamed"))) {
      out.write(3);
    }
    Path old = tmp.resolve("existing");
    Files.writeString(old, "x");
    Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rw-rw-rw-"));
    try (FileChannel ch = PrivateFiles.newChannel(old, StandardOpenOption.CREATE)) {
      assertThat(ch.size()).isEqualTo(1); // CREATE alone keeps the content
    }
    for (String name : new String[] {"written", "replaced", "created", "streamed", "existing"}) {
      assertThat(mode(tmp.resolve(name))).as(name).isEqualTo("rw-------");
      assertThat(PrivateFiles.exposed(tmp.resolve(name))).as(name).isFalse();
    }
    assertThat(Files.readAllBytes(tmp.resolve("replaced"))).containsExactly(2);
    try (var s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void chownGivesAFileToANodeUserWhenHerdIsRoot() throws IOException {
    Path f = tmp.resolve("for-www");
    PrivateFiles.write(f, new byte[] {1});
    boolean root = ((Integer) Files.getAttribute(f, "unix:uid")) == 0;
    assertThat(PrivateFiles.chown(f, new PrivateFiles.Owner(4321, 4322))).isEqualTo(root);
    if (root) {
      assertThat(Files.getAttribute(f, "unix:uid")).isEqualTo(4321);
      assertThat(Files.getAttribute(f, "unix:gid")).isEqualTo(4322);
    }
    assertThat(PrivateFiles.chown(f, null)).isFalse();
  }
}
