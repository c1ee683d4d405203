package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.bake.tree.Origin;
import dev.herd.bake.tree.TreeException;
import dev.herd.config.ConfigException;
import dev.herd.engine.EngineUnreachable;
import dev.herd.image.oci.ImageException;
import dev.herd.spec.Location;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 18: expected refusals printed as {@code herd: unexpected error: dev.herd.bake.tree.TreeException: ...}.
 * Every refusal, from whichever module, prints its located message plainly with a meaningful exit
 * code; "unexpected error" is kept for bugs.
 */
class FailuresTest {
  @TempDir Path dir;

  static Stream<Arguments> failures() {
    Origin at = new Origin(new Location(Path.of("herd.yaml"), 14, 9), "roles.web.resources[3]");
    return Stream.of(
        Arguments.of(new TreeException(at, "path \"/srv/../../etc\" escapes the image root"), HerdCli.FAILED,
            "herd: herd.yaml:14:9: roles.web.resources[3]: path \"/srv/../../etc\" escapes the image root"),
        Arguments.of(new ImageException("no image web:7 in the catalog"), HerdCli.FAILED, "herd: no image web:7 in the catalog"),
        Arguments.of(new ConfigException(ConfigException.Kind.INVALID, "config key lower must match [A-Z_][A-Z0-9_]*"), HerdCli.FAILED,
            "herd: config key lower must match [A-Z_][A-Z0-9_]*"),
        Arguments.of(new EngineUnreachable("no engine at /run/podman/podman.sock", null), HerdCli.ENVIRONMENT,
            "herd: no engine at /run/podman/podman.sock"),
        // A refusal wrapped by a layer that did not know it is still a refusal.
        Arguments.of(new IllegalStateException("wrapped", new ImageException("blob sha256:ab is missing")), HerdCli.FAILED,
            "herd: blob sha256:ab is missing"),
        Arguments.of(new IllegalStateException("herd bug: impossible"), HerdCli.FAILED,
            "herd: unexpected error: java.lang.IllegalStateException: herd bug: impossible"),
        Arguments.of(new UncheckedIOException(new IOException("disk full")), HerdCli.FAILED,
            "herd: unexpected error: java.io.IOException: disk full"));
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource("failures")
  void refusalsArePlainAndLocatedBugsAreUnexpected(Exception ex, int code, String firstLine) {
    StringWriter err = new StringWriter();
    var cl = HerdCli.commandLine(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    int exit = new HerdCli.Failures().handleExecutionException(ex, cl, null);
    assertThat(exit).isEqualTo(code);
    assertThat(err.toString().lines().findFirst()).hasValue(firstLine);
    if (!firstLine.contains("unexpected error")) {
      assertThat(err.toString()).doesNotContain("Exception").doesNotContain("unexpected").doesNotContain("\tat ");
    }
  }

  /** The reported case end to end: a template that includes herd's keyset fails the bake plainly. */
  @Test
  void aBakeRefusedByATemplateIncludePrintsTheLocatedMessage() throws IOException {
    Files.writeString(dir.resolve("herd.yaml"), """
        project: {name: failures}
        roles:
          web:
            base: {scratch: {}}
            resources:
              - template: /etc/keys.json
                source: leak.j2
            command: ["/app"]
        """);
    Files.writeString(dir.resolve("leak.j2"), "keys:\n{% include '.herd/keys/secrets.json' %}\n");
    Files.createDirectories(dir.resolve(".herd/keys"));
    Files.writeString(dir.resolve(".herd/keys/secrets.json"), "{\"primaryKeyId\": 1, \"key\": [{\"keyData\": {}}]}");
    CliRun r = CliRun.of("bake", "web", "-f", dir.resolve("herd.yaml").toString());
    assertThat(r.exitCode()).isEqualTo(HerdCli.FAILED);
    assertThat(r.err()).contains("herd: herd.yaml:6:9: roles.web.resources[0]: template leak.j2:2: source \".herd/keys/secrets.json\""
        + " is in herd's state directory (.herd)")
        .doesNotContain("unexpected error").doesNotContain("Exception");
  }
}
