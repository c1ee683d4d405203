package dev.herd.engine.docker;

import dev.herd.engine.NodeInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

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
}
