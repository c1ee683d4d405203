package dev.herd.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({
    "500ms, 500",
    "30s, 30000",
    "5m, 300000",
    "24h, 86400000",
    "1h30m, 5400000",
    "7d, 604800000",
    "1d12h, 129600000",
    "2m30s500ms, 150500",
    "0, 0",
    "0s, 0"
  })
  void parsesEveryUnitAndCombination(String text, long millis) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"fast", "", "5", "-5s", "1.5s", "5 s", "30m1h", "1h1h", "5S", "1w", "s", "ms"})
  void refusesAnythingElseWithAMessageForUsers(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("expected a duration like 5s, got \"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"500ms", "30s", "5m", "1h30m", "7d", "1d12h", "2m30s500ms"})
  void formatsBackToTheShortestForm(String text) {
    assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
  }

  @org.junit.jupiter.api.Test
  void formatsNinetyMinutesAsHoursAndMinutes() {
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
  }

  @org.junit.jupiter.api.Test
  void refusesOverflowInsteadOfWrapping() {
    assertThatThrownBy(() -> Durations.parse("99999999999999999d")).hasMessageContaining("too long");
  }
}
