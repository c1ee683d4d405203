package dev.herd.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.engine.EngineEvent;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.Subscription;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a user sees of a node on real Podman. */
class PodmanNodeIT extends RealNodeTests {
  static DockerApiEngine shared;
  static Path secrets;

  @BeforeAll
  static void connect() throws IOException {
    secrets = Files.createTempDirectory(Path.of("/dev/shm"), "herd-test-secrets-");
    Path state = Path.of("target/it-state").toAbsolutePath();
    Files.createDirectories(state);
    shared = DockerApiEngine.connect(new DockerApiEngine.Options(state, secrets, System.getenv(), null));
    shared.ensureImage(BusyboxImage.get().source());
  }

  @AfterAll
  static void disconnect() throws IOException {
    shared.close();
    Files.deleteIfExists(secrets);
  }

  @Override
  protected DockerApiEngine engine() {
    return shared;
  }

  @Override
  protected Path secretsRoot() {
    return secrets;
  }

  @Override
  protected HostCli cli() {
    return HostCli.PODMAN;
  }

  @Override
  protected int freePort() {
    return Podman.freePort();
  }

  @Override
  protected String rootfsMount(NodeInfo n) {
    return n.id(); // Podman's overlay mount is under the container's id
  }

  /** Podman only: Podman 4 sends no oom event for a writer killed inside a running node; herd reads the kernel's count. */
  @Test
  void aProcessOomKilledInsideARunningNodeIsAnOutOfMemoryEvent() {
    List<EngineEvent> events = new CopyOnWriteArrayList<>();
    try (Subscription s = engine().events(project, null, events::add)) {
      NodeInfo n = engine().startNode(serving("web-1").memoryBytes(32L << 20).build());
      awaitHttp(n.port());
      // a writer fills the node's tmpfs (memory of the node's cgroup) past the 32Mi limit
      Podman.Result dd = exec(n, "/bin/busybox dd if=/dev/zero of=/scratch/fill bs=1M count=100");
      assertThat(dd.exitCode()).as("the writer is killed").isEqualTo(137);

      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(events)
          .filteredOn(e -> e instanceof EngineEvent.OutOfMemory)
          .singleElement().satisfies(e -> assertThat(e.containerId()).isEqualTo(n.id())));
      assertThat(engine().listNodes(project)).singleElement().satisfies(i -> assertThat(i.running()).isTrue());
      assertThat(serving(n.port())).as("the node still serves").isTrue();
    }
  }
}
