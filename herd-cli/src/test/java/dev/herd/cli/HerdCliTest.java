package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class HerdCliTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int herd(String... args) {
    return HerdCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void versionNamesHerdAndJava() {
    assertThat(herd("--version")).isZero();
    assertThat(out.toString()).startsWith("herd ").contains("java ");
  }

  @Test
  void noCommandPrintsUsageAndUsageExitCode() {
    assertThat(herd()).isEqualTo(HerdCli.USAGE);
    assertThat(err.toString()).contains("Usage: herd").contains("Exit codes");
  }

  @Test
  void unknownCommandIsOneShortErrorWithASuggestion() {
    assertThat(herd("hepl")).isEqualTo(HerdCli.USAGE);
    assertThat(err.toString())
        .contains("herd: Unmatched argument")
        .contains("help")
        .contains("Try 'herd --help'")
        .doesNotContain("Usage:")
        .doesNotContain("Exception");
  }
}
