package dev.herd.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModeTest {
  @ParameterizedTest
  @CsvSource({"0644, 420, 0644", "644, 420, 0644", "0755, 493, 0755", "1777, 1023, 1777", "04755, 2541, 4755", "000, 0, 0000"})
  void parsesOctalStrings(String text, int bits, String printed) {
    Mode m = Mode.parse(text);
    assertThat(m.bits()).isEqualTo(bits);
    assertThat(m).hasToString(printed);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0999", "rw-r--r--", "64", "", "010000", "0o644", "0x1ff"})
  void refusesNonOctal(String text) {
    assertThatThrownBy(() -> Mode.parse(text)).hasMessageStartingWith("expected a file mode like \"0644\", got \"");
  }

  @Test
  void anUnquotedModeInYamlIsRefusedWithAHintToQuoteIt() {
    byte[] yaml =
        "project: {name: demo}\nroles:\n  web:\n    base: {scratch: {}}\n    command: [/app]\n    resources:\n      - directory: /srv\n        mode: 0644\n"
            .getBytes();
    SpecResult r = SpecLoader.load(java.nio.file.Path.of("herd.yaml"), yaml);
    assertThat(SpecLoader.render(r))
        .containsExactly(
            "herd.yaml:8:15: roles.web.resources[0].mode: write the mode as a quoted string like \"0644\" (unquoted, YAML reads 0644 as a decimal number)");
  }
}
