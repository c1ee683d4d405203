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
  void releaseDateIsRfc1123() {
    assertThat(PackageResolver.releaseDate("Origin: Debian\nDate: Sat, 17 May 2025 09:41:22 UTC\nValid-Until: x\n"))
        .contains(Instant.parse("2025-05-17T09:41:22Z"));
    assertThat(PackageResolver.releaseDate("Origin: Debian\n")).isEmpty();
  }
}
