package dev.herd.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.engine.EngineInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With no engine socket around, herd starts Podman on a private socket and stops it again. */
class DiscoveryIT {
  @TempDir Path state;

  @Test
  void herdStartsItsOwnPodmanServiceWhenNoneRunsAndStopsItOnClose() throws Exception {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.remove("DOCKER_HOST");
    env.remove("XDG_RUNTIME_DIR");
    Path socket;
    try (DockerApiEngine engine = DockerApiEngine.connect(
        new DockerApiEngine.Options(state, state.resolve("secrets"), env, null))) {
      assertThat(engine.ownsService()).isTrue();
      socket = Path.of(engine.endpoint().uri().getPath());
      assertThat(socket).isEqualTo(state.resolve("podman.sock"));
      EngineInfo info = engine.info();
      assertThat(info.product()).isEqualTo("Podman Engine");
      assertThat(info.version()).startsWith("4.");
      assertThat(info.runtime()).isEqualTo("runc");
      assertThat(info.cgroupManager()).isEqualTo("cgroupfs");
      assertThat(engine.discovery().orElseThrow().candidates())
          .extracting(EngineDiscovery.Candidate::outcome)
          .containsExactly(EngineDiscovery.Outcome.NOT_APPLICABLE, EngineDiscovery.Outcome.NOT_APPLICABLE,
              EngineDiscovery.Outcome.NOT_APPLICABLE, EngineDiscovery.Outcome.NOT_APPLICABLE,
              EngineDiscovery.Outcome.USED);
    }
    assertThat(socket).doesNotExist();
    assertThat(Ping.HTTP.failure(new Endpoint(java.net.URI.create("unix://" + socket), "x"))).isPresent();
    assertThat(Files.exists(state.resolve("podman-service.log"))).isTrue();
  }

  @Test
  void dockerHostIsUsedFirstWhenItAnswers() {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.remove("XDG_RUNTIME_DIR");
    try (PodmanService service = PodmanService.start("podman", state, java.time.Duration.ofSeconds(30), Ping.HTTP)) {
      env.put("DOCKER_HOST", service.endpoint().uri().toString());
      try (DockerApiEngine engine = DockerApiEngine.connect(
          new DockerApiEngine.Options(null, state.resolve("secrets"), env, null))) {
        assertThat(engine.ownsService()).isFalse();
        assertThat(engine.endpoint().strategy()).isEqualTo("DOCKER_HOST");
        assertThat(engine.info().apiVersion()).isNotBlank();
      }
    }
  }
}
