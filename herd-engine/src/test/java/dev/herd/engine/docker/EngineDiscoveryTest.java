package dev.herd.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.engine.EngineUnreachable;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineDiscoveryTest {
  @TempDir Path dir;

  private final List<String> pinged = new ArrayList<>();

  private Ping answering(String... up) {
    return e -> {
      pinged.add(e.toString());
      return List.of(up).contains(e.toString()) ? Optional.empty() : Optional.of("connection refused");
    };
  }

  private ServerSocketChannel socketAt(Path p) throws Exception {
    ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    ch.bind(UnixDomainSocketAddress.of(p));
    return ch;
  }

  @Test
  void strategiesAreTriedByPriorityAndEachMissSaysWhy() throws Exception {
    Path dead = dir.resolve("dead.sock");
    Path live = dir.resolve("live.sock");
    try (var a = socketAt(dead); var b = socketAt(live)) {
      EngineDiscovery d = new EngineDiscovery(List.of(
          new SocketStrategy("docker socket", 70, live, null),
          new DockerHostStrategy(null),
          new SocketStrategy("podman socket (user)", 80, null, "XDG_RUNTIME_DIR is not set"),
          new SocketStrategy("podman socket (rootful)", 90, dead, null),
          new SocketStrategy("missing", 85, dir.resolve("nope.sock"), null)),
          answering("unix://" + live));

      EngineDiscovery.Result r = d.discover();

      assertThat(r.endpoint()).get().extracting(Endpoint::strategy).isEqualTo("docker socket");
      assertThat(r.candidates()).extracting(EngineDiscovery.Candidate::strategy).containsExactly(
          "DOCKER_HOST", "podman socket (rootful)", "missing", "podman socket (user)", "docker socket");
      assertThat(r.candidates()).extracting(EngineDiscovery.Candidate::outcome).containsExactly(
          EngineDiscovery.Outcome.NOT_APPLICABLE, EngineDiscovery.Outcome.UNREACHABLE,
          EngineDiscovery.Outcome.NOT_APPLICABLE, EngineDiscovery.Outcome.NOT_APPLICABLE, EngineDiscovery.Outcome.USED);
      assertThat(r.candidates().get(0).detail()).isEqualTo("DOCKER_HOST is not set");
      assertThat(r.candidates().get(1).detail()).contains("connection refused");
      assertThat(r.candidates().get(2).detail()).contains("no socket at");
      assertThat(r.candidates().get(3).detail()).isEqualTo("XDG_RUNTIME_DIR is not set");
      assertThat(pinged).containsExactly("unix://" + dead, "unix://" + live);
    }
  }

  @Test
  void laterCandidatesAreNotTriedOnceOneAnswers() throws Exception {
    Path live = dir.resolve("live.sock");
    try (var b = socketAt(live)) {
      EngineDiscovery.Result r = new EngineDiscovery(List.of(
          new DockerHostStrategy("unix://" + live),
          new SocketStrategy("docker socket", 70, live, null)), answering("unix://" + live)).discover();
      assertThat(r.candidates()).extracting(EngineDiscovery.Candidate::outcome)
          .containsExactly(EngineDiscovery.Outcome.USED, EngineDiscovery.Outcome.NOT_TRIED);
    }
  }

  @Test
  void unsupportedDockerHostSchemesAreNotApplicable() {
    assertThat(new DockerHostStrategy("ssh://me@host").notApplicable()).get().asString().contains("only unix:// and tcp://");
    assertThat(new DockerHostStrategy("tcp://127.0.0.1:2375").notApplicable()).isEmpty();
  }

  @Test
  void startingPodmanIsNotApplicableWithoutPodmanOrStateDir() {
    assertThat(new PodmanServiceStrategy("/nonexistent", dir, java.time.Duration.ofSeconds(1), answering(), false)
        .notApplicable()).get().isEqualTo("podman is not on PATH");
    assertThat(new PodmanServiceStrategy("/usr/bin", null, java.time.Duration.ofSeconds(1), answering(), false)
        .notApplicable()).get().asString().contains("no state directory");
  }

  @Test
  void noEngineAtAllIsAnEmptyResultNotAnException() {
    EngineDiscovery.Result r = new EngineDiscovery(List.of(new DockerHostStrategy("")), answering()).discover();
    assertThat(r.endpoint()).isEmpty();
    assertThat(new EngineUnreachable("x", null).transientFailure()).isTrue();
  }

  @Test
  void longStateDirsFallBackToAShortSocketPath() {
    Path deep = dir.resolve("a".repeat(120));
    assertThat(PodmanService.socketPath(deep).toString().length()).isLessThanOrEqualTo(100);
    assertThat(PodmanService.socketPath(dir)).isEqualTo(dir.resolve("podman.sock"));
  }
}
