package dev.herd.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamePatternTest {
  @Test
  void namesNodesByNumber() {
    NamePattern p = new NamePattern("web-{n}");
    assertThat(p.name(1)).isEqualTo("web-1");
    assertThat(p.name(1000)).isEqualTo("web-1000");
    assertThat(new NamePattern("{n}-api").name(3)).isEqualTo("3-api");
    assertThat(NamePattern.forFleet("db").name(2)).isEqualTo("db-2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"web", "{n}-{n}", "web-{N}", ""})
  void needsThePlaceholderExactlyOnce(String pattern) {
    assertThatThrownBy(() -> new NamePattern(pattern)).hasMessageContaining("must contain {n} exactly once");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Web-{n}", "web_{n}", "-{n}", "web-{n}-", "web.{n}", "web {n}"})
  void yieldsOnlyValidContainerAndDnsNames(String pattern) {
    assertThatThrownBy(() -> new NamePattern(pattern)).hasMessageContaining("lowercase letters, digits and '-'");
  }

  @Test
  void refusesNamesLongerThanADnsLabel() {
    String long60 = "a".repeat(60);
    assertThatThrownBy(() -> new NamePattern(long60 + "{n}")).hasMessageContaining("at most 63");
    assertThat(new NamePattern("a".repeat(59) + "{n}").name(1000)).hasSize(63);
  }

  @Test
  void nodeNumbersStartAtOne() {
    assertThatThrownBy(() -> new NamePattern("web-{n}").name(0)).hasMessageContaining("start at 1");
  }
}
