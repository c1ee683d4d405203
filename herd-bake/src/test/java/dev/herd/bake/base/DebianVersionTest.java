package dev.herd.bake.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DebianVersionTest {

  @ParameterizedTest(name = "{0} {1} {2}")
  @CsvSource(delimiter = ' ', value = {
      "1.0 < 1.1",
      "1.0 = 1.0",
      "1.0 = 0:1.0",
      "1.00 = 1.0",
      "1.0 = 1.0-0",
      "1:0.1 > 9.9",
      "2:1.0 > 1:9.9",
      "1.0~rc1 < 1.0",
      "1.0~~ < 1.0~",
      "1.0~ < 1.0",
      "1.0 < 1.0a",
      "1.0a < 1.0+",
      "1.0a < 1.0.",
      "1.0+ < 1.0.",
      "1.0 < 1.0.1",
      "1.10 > 1.9",
      "3.0.15-1~deb12u1 < 3.0.16-1~deb12u1",
      "3.0.15-1~deb12u1 < 3.0.15-1",
      "3.0.15-1~deb12u1 < 3.0.15-1~deb12u2",
      "2.36-9+deb12u9 > 2.36-9+deb12u8",
      "2.36-9+deb12u10 > 2.36-9+deb12u9",
      "2.36-9 < 2.36-9+deb12u1",
      "1.2-3-4 > 1.2-3-3",
      "1.2-3-4 > 1.2-4",
      "1:1.2.3~dfsg-1 > 1.2.4-1",
      "0001.0 = 1.0",
      "1.0-1 < 1.0-1.1",
      "1.0-1a < 1.0-1.",
      "99999999999999999999 < 100000000000000000000",
  })
  void orders_like_debian_policy(String a, String op, String b) {
    int c = DebianVersion.compare(a, b);
    switch (op) {
      case "<" -> assertThat(c).as(a + " < " + b).isNegative();
      case ">" -> assertThat(c).as(a + " > " + b).isPositive();
      default -> assertThat(c).as(a + " = " + b).isZero();
    }
    assertThat(Integer.signum(DebianVersion.compare(b, a))).isEqualTo(-Integer.signum(c));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"''", "a1.0", "1.0-", "x:1.0", ":1.0", "1.0 2", "1:2:3-4-5x:"})
  void rejects_what_is_not_a_version(String v) {
    assertThatThrownBy(() -> DebianVersion.parse(v)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void prints_back_what_it_parsed() {
    assertThat(DebianVersion.parse("1:3.0.16-1~deb12u1").toString()).isEqualTo("1:3.0.16-1~deb12u1");
    assertThat(DebianVersion.parse("0:1.0").toString()).isEqualTo("1.0");
  }

  /** Every pair of a varied list against the host's own dpkg, the reference implementation. */
  @Test
  void agrees_with_dpkg_compare_versions() throws IOException, InterruptedException {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg")), "dpkg is not on this host");
    List<String> versions = List.of("0", "1", "1.0", "1.0~", "1.0~rc1", "1.0~rc1~1", "1.0+", "1.0.", "1.0a", "1.0-1",
        "1.0-1~bpo1", "1.0-1+b1", "1.0-1.1", "1:0", "1:1.0", "2:0.1", "3.0.15-1~deb12u1", "3.0.16-1~deb12u1", "3.0.16-1",
        "2.36-9+deb12u9", "2.36-9+deb12u10", "1.2-3-4", "1.2-4", "1.01", "1.1", "1.a", "1.A", "1.Z", "1.z+", "10", "9.99",
        "1.0+dfsg", "1.0+dfsg-1", "1.0~dfsg", "7.88.1-10+deb12u8", "252.33-1~deb12u1", "1.0a~", "1.0-a", "1.0--1");
    List<String> failures = new ArrayList<>();
    for (String a : versions) {
      for (String b : versions) {
        boolean lt = dpkg(a, "lt", b);
        boolean eq = !lt && dpkg(a, "eq", b);
        int expected = lt ? -1 : eq ? 0 : 1;
        int actual = Integer.signum(DebianVersion.compare(a, b));
        if (actual != expected) {
          failures.add(a + " vs " + b + ": dpkg " + expected + ", herd " + actual);
        }
      }
    }
    assertThat(failures).isEmpty();
  }

  private static boolean dpkg(String a, String op, String b) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("dpkg", "--compare-versions", a, op, b).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor() == 0;
  }
}
