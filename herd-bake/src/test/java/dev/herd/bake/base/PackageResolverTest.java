package dev.herd.bake.base;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class PackageResolverTest {
  @Test
  void readsInstLinesOfASimulation() {
    String out = """
        Reading package lists...
        The following NEW packages will be installed:
          busybox-static libgcc-s1
        Inst busybox-static (1:1.35.0-4+deb12u1+b1 Debian:12.15/oldstable [amd64])
        Inst libgcc-s1 (12.2.0-14+deb12u1 Debian:12.15/oldstable [amd64]) []
        Inst tzdata [2024a-0] (2025b-0+deb12u1 Debian-Security:12/oldstable-security [all])
        Conf busybox-static (1:1.35.0-4+deb12u1+b1 Debian:12.15/oldstable [amd64])
        """;
    assertThat(PackageResolver.parseSimulation(out)).containsExactly(
        new DebianPackage("busybox-static", "1:1.35.0-4+deb12u1+b1", "amd64"),
        new DebianPackage("libgcc-s1", "12.2.0-14+deb12u1", "amd64"),
        new DebianPackage("tzdata", "2025b-0+deb12u1", "all"));
  }

  @Test
  void candidatesKeepTheArchivesAndFlagSecurity() {
    String out = """
        Inst libgcc-s1 (12.2.0-14+deb12u1 Debian:12.15/oldstable [amd64]) []
        Inst libssl3 [3.0.15-1~deb12u1] (3.0.16-1~deb12u1 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64])
        Inst tzdata (2025b-0+deb12u1 Local:/bookworm-updates [all])
        """;
    var c = PackageResolver.parseCandidates(out);
    assertThat(c).extracting(PackageResolver.Candidate::pkg).containsExactly(
        new DebianPackage("libgcc-s1", "12.2.0-14+deb12u1", "amd64"),
        new DebianPackage("libssl3", "3.0.16-1~deb12u1", "amd64"),
        new DebianPackage("tzdata", "2025b-0+deb12u1", "all"));
    assertThat(c.get(0).suites()).containsExactly("Debian:12.15/oldstable");
    assertThat(c.get(1).suites()).containsExactly("Debian:12.15/oldstable", "Debian-Security:12/oldstable-security");
    assertThat(c).extracting(PackageResolver.Candidate::security).containsExactly(false, true, false);
  }

  @Test
  void aReleaseFileNamesTheIndexesAptFetches() {
    String bookworm = """
        Origin: Debian
        No-Support-for-Architecture-all: Packages
        SHA256:
         bc44 22526615 main/binary-all/Packages
         515e 50060337 main/binary-amd64/Packages
         8790 8790396 main/binary-amd64/Packages.xz
        """;
    String security = """
        Architectures: all amd64 arm64
        SHA256:
         c064 138680 main/binary-all/Packages.xz
         9aa1 386000 main/binary-amd64/Packages.xz
        """;
    // key, Release text, fetched
    Object[][] table = {
        {"main/binary-amd64/Packages", bookworm, true},
        {"main/binary-all/Packages", bookworm, false}, // listed, but apt skips it
        {"main/binary-all/Packages", security, true}, // only compressed on the mirror
        {"main/binary-amd64/Packages", security, true},
        {"main/binary-arm64/Packages", security + " 1 1 main/binary-arm64/Packages.xz\n", true},
        {"contrib/binary-amd64/Packages", bookworm, false},
        {"main/binary-amd64/Packages.diff/Index", bookworm, false},
        {"main/binary-all/Packages", security.replace("all amd64", "amd64"), false}, // as bookworm-security's
        {"main/binary-i386/Packages", security, false},
    };
    for (Object[] row : table) {
      assertThat(PackageResolver.ReleaseFile.parse((String) row[1]).fetches((String) row[0])).as("%s", row[0]).isEqualTo(row[2]);
    }
  }

  @Test
  void anIndexWithoutItsReleaseFileOrANamedPackagesFileIsIncomplete(@org.junit.jupiter.api.io.TempDir java.nio.file.Path lists)
      throws Exception {
    java.nio.file.Files.writeString(lists.resolve("m_dists_bookworm_InRelease"), "SHA256:\n 515e 5 main/binary-amd64/Packages\n");
    java.nio.file.Files.writeString(lists.resolve("m_dists_bookworm_main_binary-amd64_Packages"), "Package: x\n");
    String targets = lists.resolve("m_dists_bookworm_main_binary-amd64_Packages") + " main/binary-amd64/Packages\n"
        + lists.resolve("m_dists_bookworm_main_binary-all_Packages") + " main/binary-all/Packages\n";
    assertThat(PackageResolver.missingIndexFiles(targets, lists)).isEmpty();

    String security = targets + lists.resolve("s_dists_bookworm-security_main_binary-amd64_Packages") + " main/binary-amd64/Packages\n";
    assertThat(PackageResolver.missingIndexFiles(security, lists)).containsExactly("s_dists_bookworm-security_Release");
    java.nio.file.Files.writeString(lists.resolve("s_dists_bookworm-security_Release"), "SHA256:\n 9aa1 3 main/binary-amd64/Packages.xz\n");
    assertThat(PackageResolver.missingIndexFiles(security, lists)).containsExactly("s_dists_bookworm-security_main_binary-amd64_Packages");
  }

  @Test
  void releaseDateIsRfc1123() {
    assertThat(PackageResolver.releaseDate("Origin: Debian\nDate: Sat, 17 May 2025 09:41:22 UTC\nValid-Until: x\n"))
        .contains(Instant.parse("2025-05-17T09:41:22Z"));
    assertThat(PackageResolver.releaseDate("Origin: Debian\n")).isEmpty();
  }
}
