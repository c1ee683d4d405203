package dev.herd.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizeTest {
  @ParameterizedTest
  @CsvSource({
    "512Mi, 536870912",
    "1Gi, 1073741824",
    "100M, 100000000",
    "10k, 10000",
    "10K, 10000",
    "4Ki, 4096",
    "2Ti, 2199023255552",
    "1T, 1000000000000",
    "100, 100",
    "100B, 100",
    "0, 0"
  })
  void parsesBinaryAndDecimalUnits(String text, long bytes) {
    assertThat(Size.parse(text).bytes()).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"lots", "", "1.5Gi", "-1Mi", "1 GiB", "1mi", "Mi"})
  void refusesOtherForms(String text) {
    assertThatThrownBy(() -> Size.parse(text)).hasMessageStartingWith("expected a size like 512Mi, got \"");
  }

  @Test
  void refusesOverflow() {
    assertThatThrownBy(() -> Size.parse("99999999999Ti")).hasMessageContaining("too large");
  }

  @Test
  void printsTheLargestExactBinaryUnit() {
    assertThat(Size.parse("1Gi")).hasToString("1Gi");
    assertThat(Size.parse("1536Mi")).hasToString("1536Mi");
    assertThat(Size.parse("100M")).hasToString("100000000");
    assertThat(Size.parse("512Mi").mebibytes()).isEqualTo(512);
  }
}
