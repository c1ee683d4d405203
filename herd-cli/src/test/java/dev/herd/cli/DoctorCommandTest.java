package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.engine.docker.Endpoint;
import dev.herd.engine.docker.EndpointStrategy;
import dev.herd.engine.docker.EngineDiscovery;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DoctorCommandTest {
  @TempDir Path state;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private static EndpointStrategy strategy(String name, int priority, String whyNot, String uri) {
    return new EndpointStrategy() {
      public String name() { return name; }
      public int priority() { return priority; }
      public Optional<String> notApplicable() { return Optional.ofNullable(whyNot); }
      public Endpoint endpoint() { return new Endpoint(URI.create(uri), name); }
    };
  }

  private int doctor(EngineDiscovery discovery) {
    CommandLine cl = new CommandLine(new DoctorCommand(Map.of(), s -> discovery));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler(new HerdCli.Failures());
    return cl.execute("--state", state.toString());
  }

  @Test
  void withNoUsableEngineEveryCandidateSaysWhyAndTheExitCodeIsFour() {
    EngineDiscovery d = new EngineDiscovery(List.of(
        strategy("DOCKER_HOST", 100, "DOCKER_HOST is not set", null),
        strategy("podman socket (rootful)", 90, null, "unix://" + state.resolve("dead.sock")),
        strategy("start podman service", 10, "podman is not on PATH", null)),
        e -> Optional.of("ping failed: connection refused"));

    assertThat(doctor(d)).isEqualTo(HerdCli.ENVIRONMENT);
    assertThat(out.toString())
        .contains("not applicable   DOCKER_HOST                DOCKER_HOST is not set")
        .contains("unreachable      podman socket (rootful)    unix://" + state.resolve("dead.sock") + " — ping failed: connection refused")
        .contains("not applicable   start podman service       podman is not on PATH");
    assertThat(err.toString()).contains("herd: no container engine is usable").doesNotContain("Exception");
  }

  @Test
  void doctorIsARegisteredSubcommand() {
    assertThat(HerdCli.commandLine(new PrintWriter(out), new PrintWriter(err)).getSubcommands()).containsKey("doctor");
  }
}
