package dev.herd.bake.base;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PackageChangesTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("security upgrade", Map.of("openssl", "3.0.15-1~deb12u1"), Map.of("openssl", "3.0.16-1~deb12u1"),
            Set.of("openssl"), List.of("~ package openssl: 3.0.15-1~deb12u1 → 3.0.16-1~deb12u1 (security)")),
        Arguments.of("point-release upgrade, not security", Map.of("tzdata", "2024a-0+deb12u1"), Map.of("tzdata", "2025b-0+deb12u1"),
            Set.of(), List.of("~ package tzdata: 2024a-0+deb12u1 → 2025b-0+deb12u1")),
        Arguments.of("tilde sorts before the release: a downgrade", Map.of("hello", "1.0"), Map.of("hello", "1.0~rc1"),
            Set.of(), List.of("~ package hello: 1.0 → 1.0~rc1 (downgrade)")),
        Arguments.of("an epoch wins over a bigger upstream", Map.of("vim", "9.1-1"), Map.of("vim", "2:9.0-1"),
            Set.of(), List.of("~ package vim: 9.1-1 → 2:9.0-1")),
        Arguments.of("a zero epoch is no change", Map.of("zlib1g", "0:1.2.13-1"), Map.of("zlib1g", "1.2.13-1"),
            Set.of("zlib1g"), List.of()),
        Arguments.of("added and removed, sorted by name", Map.of("curl", "7.88"), Map.of("nginx", "1.22"),
            Set.of(), List.of("- package curl=7.88", "+ package nginx=1.22")));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("cases")
  void changesBetweenTwoImages(String name, Map<String, String> from, Map<String, String> to, Set<String> security,
      List<String> lines) {
    assertThat(PackageChanges.between(from, to, security)).map(PackageChanges.Change::line).containsExactlyElementsOf(lines);
  }
}
