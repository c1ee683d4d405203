package dev.herd.bake.base;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MmdebstrapTest {
  @Test
  void everyResolvedPackageIsPinnedAndExtractSavesControlData() {
    Resolution resolution = RoleLockTest.resolution(List.of("busybox-static"), RoleLockTest.BUSYBOX, RoleLockTest.LIBC);
    List<String> command = Mmdebstrap.command(resolution, Path.of("/cache/k.partial/rootfs"), true);

    assertThat(command).startsWith("mmdebstrap", "--mode=root", "--variant=extract");
    assertThat(command).contains("--include=busybox-static=1:1.35.0-4+b3,libc6=2.36-9+deb12u10");
    assertThat(command).anyMatch(a -> a.startsWith("--extract-hook=") && a.contains("dpkg-deb --field"));
    assertThat(command).endsWith("bookworm", "/cache/k.partial/rootfs", "deb http://deb.debian.org/debian bookworm main");
    assertThat(Mmdebstrap.command(resolution, Path.of("/t"), false)).contains("--mode=unshare");
  }
}
