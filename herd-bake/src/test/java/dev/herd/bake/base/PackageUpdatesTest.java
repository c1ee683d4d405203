package dev.herd.bake.base;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PackageUpdatesTest {
  private static PackageResolver.Candidate candidate(String name, String version, String... suites) {
    return new PackageResolver.Candidate(new DebianPackage(name, version, "amd64"), List.of(suites));
  }

  @Test
  void reportsOnlyNewerInstalledPackagesByDebianOrder() {
    Map<String, String> installed = Map.of(
        "openssl", "3.0.15-1~deb12u1",
        "libc6", "2.36-9+deb12u9",
        "tzdata", "2025b-0+deb12u1",
        "zlib1g", "1:1.2.13.dfsg-1",
        "gone", "1.0");
    List<PackageResolver.Candidate> now = List.of(
        candidate("libc6", "2.36-9+deb12u10", "Debian:12.15/oldstable"),
        candidate("openssl", "3.0.16-1~deb12u1", "Debian-Security:12/oldstable-security"),
        // string order would call these newer; Debian's does not
        candidate("tzdata", "2025b-0~deb12u1", "Debian:12.15/oldstable"),
        candidate("zlib1g", "1.2.14-1", "Debian:12.15/oldstable"),
        candidate("new-dep", "1.0", "Debian:12.15/oldstable"));
    assertThat(PackageUpdates.between(installed, now)).containsExactly(
        new PackageUpdates.Update("libc6", "2.36-9+deb12u9", "2.36-9+deb12u10", false),
        new PackageUpdates.Update("openssl", "3.0.15-1~deb12u1", "3.0.16-1~deb12u1", true));
    assertThat(PackageUpdates.between(installed, now).get(1)).hasToString("openssl 3.0.15-1~deb12u1 → 3.0.16-1~deb12u1 (security)");
  }

  @Test
  void nothingWhenCurrent() {
    assertThat(PackageUpdates.between(Map.of("a", "1.0"), List.of(candidate("a", "1.0", "x:/bookworm")))).isEmpty();
  }
}
