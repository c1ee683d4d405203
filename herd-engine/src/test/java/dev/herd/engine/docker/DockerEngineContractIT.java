package dev.herd.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.engine.EngineInfo;
import dev.herd.engine.ImageSource;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The engine contract, held by Docker Engine (Debian's docker.io, 20.10) on the tests' private
 * dockerd. Docker before 25 loads only docker-archive images: herd must send that format.
 */
@ExtendWith(DockerDaemon.class)
class DockerEngineContractIT extends RealEngineContract {
  static DockerApiEngine shared;
  static Path secretsRoot;

  @BeforeAll
  static void connect() throws IOException {
    secretsRoot = newSecretsRoot();
    shared = DockerApiEngine.open(DockerDaemon.running().endpoint(), secretsRoot);
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
    return DockerDaemon.running().cli();
  }

  @Override
  protected Path secretsRoot() {
    return secretsRoot;
  }

  @Override
  protected int freePort() {
    return DockerDaemon.running().freePort();
  }

  @Test
  void theEngineIsDockerAndItsImageIsHerdsImage() {
    EngineInfo info = shared.info();
    assertThat(info.product()).isEqualTo("Docker Engine");
    assertThat(info.version()).startsWith("20.10.");
    assertThat(info.apiVersion()).isEqualTo("1.41");
    // what herd knows Docker 20.10 gives: docker-archive only, events only in memory, no tmpfs of its own
    assertThat(info.capabilities().loads()).containsExactly(ImageSource.Format.DOCKER_ARCHIVE);
    assertThat(info.capabilities().execEvents()).isTrue();
    assertThat(info.capabilities().durableEvents()).isFalse();
    assertThat(info.capabilities().tmpfsOnReadOnlyRoot()).isFalse();
    ImageSource image = testImage();
    shared.ensureImage(image);
    String id = cli().ok("image", "inspect", "--format", "{{.Id}}",
        dev.herd.engine.EnsuredImage.refFor(image.digest())).out().strip();
    assertThat(id).as("the engine's image ID is herd's config digest").isEqualTo(image.configDigest());
  }

  /**
   * Docker's archive API writes into the container's root filesystem and never into a tmpfs
   * mount (Podman's does): on a read-only root the copy is refused, and herd says why.
   */
  @Override
  @Test
  protected void aFileCopiedInIsReadByTheNodesUserOnlyAndRemovable() throws Exception {
    dev.herd.engine.NodeInfo node = start(spec("web-1").readOnlyRoot(true), Program.SERVE);
    Path file = java.nio.file.Files.createTempFile("herd-copy-in", ".bin");
    try {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.copyFileIn(node.ref(), "/tmp/herd-in-test", file,
              dev.herd.engine.NodeSpec.RunAs.ROOT))
          .isInstanceOf(dev.herd.engine.EngineFailure.class).hasMessageContaining("tmpfs").hasMessageContaining("/tmp");
      assertThat(engine.inspectNode(node.ref())).get().matches(dev.herd.engine.NodeInfo::running);
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }
}
