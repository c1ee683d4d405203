package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.spec.SpecSchema;
import org.junit.jupiter.api.Test;

class SchemaCommandTest {
  @Test
  void printsTheGeneratedSchema() {
    CliRun r = CliRun.of("schema");
    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).isEqualTo(SpecSchema.json());
    assertThat(r.out()).startsWith("{\n  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\"");
    assertThat(r.out()).contains("\"fleets\"", "\"max_unavailable\"", "\"additionalProperties\": false");
  }

  @Test
  void isListedInHelp() {
    CliRun r = CliRun.of("--help");
    assertThat(r.out()).contains("validate", "schema");
  }
}
