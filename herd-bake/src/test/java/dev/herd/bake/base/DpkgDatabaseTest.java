package dev.herd.bake.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DpkgDatabaseTest {
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
       /etc/old.conf 4eb63731c9f5e30903ac4fc07a7fe3d6 obsolete

      Package: oldtool
      Status: deinstall ok config-files
      Architecture: amd64
      Version: 1.0-1

      Package: tzdata
      Status: install ok installed
      Architecture: all
      Version: 2025b-0+deb12u1
      """;

  /** One paragraph per dpkg state (and want flag); whether the one reader calls it installed. */
  static Stream<Arguments> states() {
    return Stream.of(
        Arguments.of("install ok installed", true),
        Arguments.of("hold ok installed", true),
        Arguments.of("deinstall ok installed", true), // marked for removal, files still there
        Arguments.of("install ok triggers-pending", true), // configured, a trigger is queued
        Arguments.of("install ok triggers-awaited", true),
        Arguments.of("deinstall ok config-files", false),
        Arguments.of("purge ok config-files", false),
        Arguments.of("install reinstreq half-installed", false),
        Arguments.of("install ok unpacked", false),
        Arguments.of("install ok half-configured", false),
        Arguments.of("purge ok not-installed", false),
        Arguments.of("installed", false), // not dpkg's three words
        Arguments.of("", false));
  }

  @ParameterizedTest(name = "[{index}] Status \"{0}\" installed: {1}")
  @MethodSource("states")
  void installedIsDpkgsStateWord(String status, boolean installed) {
    String text = "Package: p\nStatus: " + status + "\nArchitecture: amd64\nVersion: 1.0\n";
    DpkgDatabase db = DpkgDatabase.parse(text);
    assertThat(DpkgDatabase.isInstalled(status)).isEqualTo(installed);
    assertThat(db.installed("p")).as(status).isEqualTo(installed ? db.any("p") : Optional.empty());
    assertThat(db.packages()).hasSize(installed ? 1 : 0);
  }

  /** Trees as dpkg, mmdebstrap and distroless leave them: status, status.d or both. */
  static Stream<Arguments> trees() {
    TreeMap<String, String> distroless = new TreeMap<>();
    distroless.put("libc6", "Package: libc6\nVersion: 2.36-9+deb12u10\nArchitecture: amd64\nMulti-Arch: same\n");
    distroless.put("tzdata", "Package: tzdata\nVersion: 2025b-0+deb12u1\nArchitecture: all\n");
    distroless.put("removed", "Package: gone\nStatus: deinstall ok config-files\nVersion: 1\nArchitecture: all\n");
    TreeMap<String, String> overlay = new TreeMap<>();
    overlay.put("openssl", "Package: openssl\nVersion: 3.0.16-1~deb12u1\nArchitecture: amd64\n");
    return Stream.of(
        Arguments.of("status only", Optional.of(STATUS), new TreeMap<>(),
            List.of("base-files:amd64=12.4+deb12u11", "tzdata:all=2025b-0+deb12u1", "zlib1g:amd64=1:1.2.13.dfsg-1")),
        Arguments.of("status.d only (distroless), no Status field means installed", Optional.empty(), distroless,
            List.of("libc6:amd64=2.36-9+deb12u10", "tzdata:all=2025b-0+deb12u1")),
        Arguments.of("multi-arch: one name, two architectures", Optional.of("""
            Package: libc6
            Status: install ok installed
            Architecture: amd64
            Multi-Arch: same
            Version: 2.36-9+deb12u10

            Package: libc6
            Status: install ok installed
            Architecture: i386
            Multi-Arch: same
            Version: 2.36-9+deb12u10
            """), new TreeMap<>(), List.of("libc6:amd64=2.36-9+deb12u10", "libc6:i386=2.36-9+deb12u10")),
        Arguments.of("status and status.d together, epoch and tilde kept verbatim", Optional.of("""
            Package: openssl
            Status: install ok half-installed
            Architecture: amd64
            Version: 3.0.15-1~deb12u1

            Package: busybox
            Status: install ok installed
            Architecture: amd64
            Version: 1:1.35.0-4+b3
            """), overlay, List.of("busybox:amd64=1:1.35.0-4+b3", "openssl:amd64=3.0.16-1~deb12u1")),
        Arguments.of("version-less record of a purged package is skipped", Optional.of("""
            Package: ghost
            Status: purge ok not-installed

            Package: tzdata
            Status: install ok installed
            Architecture: all
            Version: 2025b-0+deb12u1
            """), new TreeMap<>(), List.of("tzdata:all=2025b-0+deb12u1")));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("trees")
  void installedPackagesOfATree(String name, Optional<String> status, TreeMap<String, String> statusD, List<String> want) {
    assertThat(DpkgDatabase.parse(status, statusD).packages()).map(DebianPackage::toString).containsExactlyElementsOf(want);
  }

  @Test
  void multiArchNamesSelectAnArchitecture() {
    DpkgDatabase db = DpkgDatabase.parse("""
        Package: libc6
        Status: install ok installed
        Architecture: amd64
        Multi-Arch: same
        Version: 2.36-9

        Package: libc6
        Status: deinstall ok config-files
        Architecture: i386
        Version: 2.36-8
        """);
    assertThat(db.installed("libc6")).map(DpkgDatabase.Entry::architecture).contains("amd64");
    assertThat(db.installed("libc6:amd64")).map(DpkgDatabase.Entry::multiArchSame).contains(true);
    assertThat(db.installed("libc6:i386")).isEmpty();
    assertThat(db.any("libc6:i386")).map(DpkgDatabase.Entry::status).contains("deinstall ok config-files");
  }

  @Test
  void conffilesLeaveObsoleteOnesOut() {
    DpkgDatabase.Entry baseFiles = DpkgDatabase.parse(STATUS).installed("base-files").orElseThrow();
    assertThat(baseFiles.conffiles()).containsOnlyKeys("/etc/debian_version", "/etc/host.conf");
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
  void installedParagraphWithoutVersionIsAnErrorNamingTheFile() {
    assertThatThrownBy(() -> DpkgDatabase.parse("Package: broken\nStatus: install ok installed\n"))
        .hasMessage("var/lib/dpkg/status: paragraph broken has no Version field");
    TreeMap<String, String> d = new TreeMap<>();
    d.put("broken", "Package: broken\n");
    assertThatThrownBy(() -> DpkgDatabase.parse(Optional.empty(), d))
        .hasMessage("var/lib/dpkg/status.d/broken: paragraph broken has no Version field");
  }

  @Test
  void continuationLineWithoutFieldIsAnError() {
    assertThatThrownBy(() -> DpkgDatabase.parse(" stray\n")).hasMessage("var/lib/dpkg/status: line 1: continuation line without a field");
  }

  @Test
  void statusFromControlFilesIsSortedInstalledAndParsesBack() {
    String busybox = "Package: busybox-static\nVersion: 1:1.35.0-4+b3\nArchitecture: amd64\nDescription: x\n more\n";
    String libc = "Package: libc6\nVersion: 2.36-9\nArchitecture: amd64\n";
    String status = DpkgDatabase.fromControlFiles(List.of(libc, busybox));
    assertThat(status).startsWith("Package: busybox-static\nStatus: install ok installed\nVersion: 1:1.35.0-4+b3\n");
    assertThat(status).contains("Description: x\n more\n");
    assertThat(DpkgDatabase.parse(status).packages()).extracting(DebianPackage::name).containsExactly("busybox-static", "libc6");
    assertThat(DpkgDatabase.fromControlFiles(List.of(busybox, libc))).isEqualTo(status);
  }

  @Test
  void aTreeIsReadFromStatusAndStatusD(@TempDir Path rootfs) throws Exception {
    assertThat(DpkgDatabase.installed(rootfs)).isEmpty();
    Files.createDirectories(rootfs.resolve("var/lib/dpkg/status.d"));
    Files.writeString(rootfs.resolve(DpkgDatabase.STATUS_PATH), STATUS);
    Files.writeString(rootfs.resolve("var/lib/dpkg/status.d/curl"), "Package: curl\nVersion: 7.88.1-10+deb12u12\nArchitecture: amd64\n");
    assertThat(DpkgDatabase.installed(rootfs)).map(DebianPackage::name).containsExactly("base-files", "curl", "tzdata", "zlib1g");
  }

  @Test
  void aStatusSymlinkOutOfTheTreeIsNotFollowed(@TempDir Path dir) throws Exception {
    Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
    Files.writeString(dir.resolve("host-status"), STATUS);
    Files.createDirectories(rootfs.resolve("var/lib/dpkg"));
    Files.createSymbolicLink(rootfs.resolve(DpkgDatabase.STATUS_PATH), Path.of("../../../../host-status"));
    assertThat(DpkgDatabase.installed(rootfs)).isEmpty();
  }
}
