package dev.herd.engine.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The engine contract, held by the real Podman through its Docker-compatible API. */
class PodmanEngineContractIT extends RealEngineContract {
  static DockerApiEngine shared;
  static Path secretsRoot;

  @BeforeAll
  static void connect() throws IOException {
    secretsRoot = newSecretsRoot();
    Path state = Path.of("target/it-state").toAbsolutePath();
    Files.createDirectories(state);
    shared = DockerApiEngine.connect(new DockerApiEngine.Options(state, secretsRoot, System.getenv(), null));
  }

  @AfterAll
  static void disconnect() throws IOException {
    closeAndCheck(shared, secretsRoot);
  }

  @Override
  protected DockerApiEngine shared() {
    return shared;
  }

  @Override
  protected HostCli cli() {
    return HostCli.PODMAN;
  }

  @Override
  protected Path secretsRoot() {
    return secretsRoot;
  }

  @Override
  protected void removeForeignContainer(String name) {
    Podman.run("rm", "-f", "-t", "0", name);
  }

  @Override
  protected int freePort() {
    return Podman.freePort();
  }
}
