package dev.herd.bake.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DpkgStatusTest {
  private static final String STATUS = """
      Package: zlib1g
      Status: install ok installed
      Priority: optional
      Architecture: amd64
      Multi-Arch: same
      Version: 1:1.2.13.dfsg-1
      Description: compression library - runtime
       zlib is a library implementing the deflate compression method found
       .
       in gzip and PKZIP.

      Package: base-files
      Essential: yes
      Status: install ok installed
      Architecture: amd64
      Version: 12.4+deb12u11
      Conffiles:
       /etc/debian_version 8d4f5b2b0d1f3c3f5e0f7a9a5b1f6f7e
       /etc/host.conf 4eb63731c9f5e30903ac4fc07a7fe3d6

      Package: oldtool
      Status: deinstall ok config-files
      Architecture: amd64
      Version: 1.0-1

      Package: tzdata
      Status: install ok installed
      Architecture: all
      Version: 2025b-0+deb12u1
      """;

  @Test
  void listsInstalledPackagesSortedAndSkipsRemovedOnes() {
    assertThat(DpkgStatus.parse(STATUS)).containsExactly(
        new DebianPackage("base-files", "12.4+deb12u11", "amd64"),
        new DebianPackage("tzdata", "2025b-0+deb12u1", "all"),
        new DebianPackage("zlib1g", "1:1.2.13.dfsg-1", "amd64"));
  }

  @Test
  void multiLineFieldsDoNotLeakIntoOtherFields() {
    var paragraphs = Deb822.parse(STATUS);
    assertThat(paragraphs.get(0).get("Description")).isEqualTo(
        "compression library - runtime\nzlib is a library implementing the deflate compression method found\n.\nin gzip and PKZIP.");
    assertThat(paragraphs.get(1).get("Conffiles")).startsWith("\n/etc/debian_version");
    assertThat(paragraphs.get(1).get("Version")).isEqualTo("12.4+deb12u11");
  }

  @Test
  void paragraphWithoutVersionIsAnError() {
    assertThatThrownBy(() -> DpkgStatus.parse("Package: broken\nStatus: install ok installed\n"))
        .hasMessageContaining("broken").hasMessageContaining("Version");
  }

  @Test
  void continuationLineWithoutFieldIsAnError() {
    assertThatThrownBy(() -> DpkgStatus.parse(" stray\n")).hasMessageContaining("line 1");
  }

  @Test
  void statusFromControlFilesIsSortedInstalledAndParsesBack() {
    String busybox = "Package: busybox-static\nVersion: 1:1.35.0-4+b3\nArchitecture: amd64\nDescription: x\n more\n";
    String libc = "Package: libc6\nVersion: 2.36-9\nArchitecture: amd64\n";
    String status = DpkgStatus.fromControlFiles(List.of(libc, busybox));
    assertThat(status).startsWith("Package: busybox-static\nStatus: install ok installed\nVersion: 1:1.35.0-4+b3\n");
    assertThat(status).contains("Description: x\n more\n");
    assertThat(DpkgStatus.parse(status)).extracting(DebianPackage::name).containsExactly("busybox-static", "libc6");
    assertThat(DpkgStatus.fromControlFiles(List.of(busybox, libc))).isEqualTo(status);
  }

  @Test
  void treeWithoutDpkgDatabaseHasNoPackages(@TempDir Path rootfs) throws Exception {
    assertThat(DpkgStatus.installed(rootfs)).isEmpty();
    Files.createDirectories(rootfs.resolve("var/lib/dpkg"));
    Files.writeString(rootfs.resolve(DpkgStatus.STATUS_PATH), STATUS);
    assertThat(DpkgStatus.installed(rootfs)).hasSize(3);
  }
}
