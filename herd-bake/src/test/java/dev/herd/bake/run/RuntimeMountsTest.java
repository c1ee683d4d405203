package dev.herd.bake.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeMountsTest {
  @Test
  void removesWhatPodmanCreatedAndKeepsWhatTheStepWrote(@TempDir Path rootfs) throws Exception {
    Files.createDirectories(rootfs.resolve("etc"));
    Files.writeString(rootfs.resolve("etc/hostname"), "image-host\n");
    FileTime etcTime = FileTime.from(Instant.parse("2025-01-01T00:00:00Z"));
    Files.setLastModifiedTime(rootfs.resolve("etc"), etcTime);
    RuntimeMounts mounts = RuntimeMounts.before(rootfs);

    // what podman leaves on a --rootfs directory
    Files.createFile(rootfs.resolve("etc/hosts"));
    Files.writeString(rootfs.resolve("etc/hostname"), "");
    Files.createSymbolicLink(rootfs.resolve("etc/mtab"), Path.of("/proc/mounts"));
    Files.createDirectories(rootfs.resolve("proc"));
    Files.createDirectories(rootfs.resolve("sys"));
    Files.createDirectories(rootfs.resolve("run"));
    Files.writeString(rootfs.resolve("run/.containerenv"), "engine=\"podman\"\n");
    // what the step wrote
    Files.writeString(rootfs.resolve("etc/resolv.conf"), "nameserver 127.0.0.1\n");

    mounts.cleanUp();

    try (var left = Files.list(rootfs)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("etc");
    }
    try (var left = Files.list(rootfs.resolve("etc"))) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("hostname", "resolv.conf");
    }
    assertThat(Files.getLastModifiedTime(rootfs.resolve("etc"))).isEqualTo(etcTime);
  }

  @Test
  void runDirectoryWithStepFilesIsKept(@TempDir Path rootfs) throws Exception {
    RuntimeMounts mounts = RuntimeMounts.before(rootfs);
    Files.createDirectories(rootfs.resolve("run/app"));
    Files.writeString(rootfs.resolve("run/.containerenv"), "x");
    mounts.cleanUp();
    assertThat(rootfs.resolve("run/app")).isDirectory();
    assertThat(rootfs.resolve("run/.containerenv")).doesNotExist();
  }

  @Test
  void shellIsShOrBusybox(@TempDir Path rootfs) throws Exception {
    assertThat(Podman.shell(rootfs)).isEmpty();
    Files.createDirectories(rootfs.resolve("bin"));
    Files.writeString(rootfs.resolve("bin/busybox"), "elf");
    assertThat(Podman.shell(rootfs)).contains(java.util.List.of("/bin/busybox", "sh"));
    Files.createSymbolicLink(rootfs.resolve("bin/sh"), Path.of("dash"));
    assertThat(Podman.shell(rootfs)).contains(java.util.List.of("/bin/sh"));
  }
}
