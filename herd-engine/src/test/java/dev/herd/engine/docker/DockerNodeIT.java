package dev.herd.engine.docker;

import dev.herd.engine.NodeInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a user sees of a node on Docker Engine (the tests' private dockerd). */
@ExtendWith(DockerDaemon.class)
class DockerNodeIT extends RealNodeTests {
  static DockerApiEngine shared;
  static Path secrets;

  @BeforeAll
  static void connect() throws IOException {
    secrets = Files.createTempDirectory(Path.of("/dev/shm"), "herd-test-secrets-");
    shared = DockerApiEngine.open(DockerDaemon.running().endpoint(), secrets);
    shared.ensureImage(BusyboxImage.get().source());
  }

  @AfterAll
  static void disconnect() throws IOException {
    if (shared != null) {
      shared.close();
    }
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
    return DockerDaemon.running().cli();
  }

  @Override
  protected int freePort() {
    return DockerDaemon.running().freePort();
  }

  @Override
  protected String rootfsMount(NodeInfo n) {
    // Docker's overlay mount is named by its layer, not by the container
    return cli().ok("container", "inspect", "--format", "{{.GraphDriver.Data.MergedDir}}", n.id()).out().strip();
  }
}
