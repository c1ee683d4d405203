package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
  static final Path HELLO_WEB = Path.of("..", "examples", "hello-web").toAbsolutePath().normalize();

  @Test
  void theHelloWebExampleIsValid() {
    CliRun r = CliRun.of("validate", HELLO_WEB.toString());
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEqualTo("herd.yaml: ok (1 role, 1 environment, 1 fleet)\n");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void saysTheOrderFleetsStartInWhenTheyDependOnEachOther(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("herd.yaml"), """
        project: {name: demo}
        roles:
          app: {base: {scratch: {}}, command: [/app]}
        environments:
          dev: {}
        fleets:
          web: {role: app, environment: dev, depends_on: [db, cache]}
          worker: {role: app, environment: dev, depends_on: [web]}
          db: {role: app, environment: dev}
          cache: {role: app, environment: dev}
        """);
    CliRun r = CliRun.of("validate", dir.toString());
    assertThat(r.exitCode()).isZero();
    assertThat(r.out().lines()).containsExactly("herd.yaml: ok (1 role, 1 environment, 4 fleets)",
        "fleets start in order: db, cache → web → worker");
  }

  @Test
  void acceptsAFileWithDashF() {
    CliRun r = CliRun.of("validate", "-f", HELLO_WEB.resolve("herd.yaml").toString());
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("herd.yaml: ok");
  }

  @Test
  void printsEveryErrorOnStderrAndExitsOne(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("herd.yaml"), """
        project: {name: demo}
        roles:
          web:
            base: {scratch: {}}
            command: [/app]
            health:
              tcp: {}
              interval: fast
        environments:
          dev: {}
        fleets:
          web:
            role: web
            environment: dev
            cuont: 3
        """);
    CliRun r = CliRun.of("validate", dir.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines()).containsExactly(
        "herd.yaml:8:17: roles.web.health.interval: expected a duration like 5s, got \"fast\"",
        "herd.yaml:15:5: fleets.web.cuont: unknown key (did you mean \"count\"?)",
        "herd.yaml: 2 errors");
  }

  @Test
  void aDirectoryWithoutASpecIsAClearFailure(@TempDir Path dir) {
    CliRun r = CliRun.of("validate", dir.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).startsWith("herd: no spec at " + dir.resolve("herd.yaml"));
  }

  @Test
  void dirAndFileTogetherAreAUsageError(@TempDir Path dir) {
    CliRun r = CliRun.of("validate", dir.toString(), "-f", HELLO_WEB.resolve("herd.yaml").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("give either DIR or -f FILE, not both");
  }

  @Test
  void bytesThatAreNotUtf8AreReportedNotThrown(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("herd.yaml"), new byte[] {'a', ':', ' ', (byte) 0xff, '\n'});
    CliRun r = CliRun.of("validate", dir.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).startsWith("herd.yaml:1:4: not valid UTF-8 (byte 0xFF at offset 3)").doesNotContain("Exception");
  }
}
