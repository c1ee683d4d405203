package dev.herd.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PortRange, Amount, ImageRef and Limits: small value types with the same shape of tests. */
class SmallValuesTest {
  @Nested
  class PortRanges {
    @Test
    void parsesInclusiveRanges() {
      PortRange r = PortRange.parse("18080-18179");
      assertThat(r.size()).isEqualTo(100);
      assertThat(r.contains(18080)).isTrue();
      assertThat(r.contains(18179)).isTrue();
      assertThat(r.contains(18180)).isFalse();
      assertThat(PortRange.parse("20000 - 20000").size()).isEqualTo(1);
      assertThat(r).hasToString("18080-18179");
    }

    @ParameterizedTest
    @ValueSource(strings = {"80-90", "18999-18000", "18000-70000", "18000", "a-b", "18000:18999"})
    void refusesPrivilegedReversedAndMalformedRanges(String text) {
      assertThatThrownBy(() -> PortRange.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  class Amounts {
    @Test
    void resolvesNodesAndPercentages() {
      assertThat(Amount.parse("2").resolve(10, true)).isEqualTo(2);
      assertThat(Amount.parse("25%").resolve(10, true)).isEqualTo(3);
      assertThat(Amount.parse("25%").resolve(10, false)).isEqualTo(2);
      assertThat(Amount.parse("0%").isZero()).isTrue();
      assertThat(Amount.percentOf(100).resolve(7, false)).isEqualTo(7);
      assertThat(Amount.parse("25%")).hasToString("25%");
    }

    @ParameterizedTest
    @ValueSource(strings = {"101%", "-1", "lots", "2.5", "%"})
    void refusesOutOfRangeAndMalformed(String text) {
      assertThatThrownBy(() -> Amount.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  class ImageRefs {
    @Test
    void parsesEveryForm() {
      String digest = "sha256:" + "ab".repeat(32);
      assertThat(ImageRef.parse("latest")).isEqualTo(new ImageRef.Latest());
      assertThat(ImageRef.parse("channel:prod")).isEqualTo(new ImageRef.Channel("prod"));
      assertThat(ImageRef.parse("version:12")).isEqualTo(new ImageRef.Version(12));
      assertThat(ImageRef.parse(digest)).isEqualTo(new ImageRef.Digest(digest));
      assertThat(ImageRef.parse("channel:prod")).hasToString("channel:prod");
    }

    @ParameterizedTest
    @ValueSource(strings = {"newest", "version:0", "version:x", "channel:Prod", "sha256:abc", "sha256:" + "AB" + "ab"})
    void refusesUnknownForms(String text) {
      assertThatThrownBy(() -> ImageRef.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  class LimitsTests {
    @Test
    void aFleetsLimitsFallBackToTheRolesOneByOne() {
      Limits role = new Limits(OptionalLong.of(128L << 20), OptionalDouble.of(0.5));
      Limits fleet = new Limits(OptionalLong.empty(), OptionalDouble.of(2));
      assertThat(fleet.orElse(role)).isEqualTo(new Limits(OptionalLong.of(128L << 20), OptionalDouble.of(2)));
      assertThat(Limits.NONE.orElse(role)).isEqualTo(role);
      assertThat(Limits.NONE.isNone()).isTrue();
    }

    @Test
    void refusesTinyMemoryAndNonPositiveCpus() {
      assertThatThrownBy(() -> new Limits(OptionalLong.of(1024), OptionalDouble.empty())).hasMessageContaining("at least 4Mi");
      assertThatThrownBy(() -> new Limits(OptionalLong.empty(), OptionalDouble.of(0))).hasMessageContaining("cpus");
    }
  }
}
