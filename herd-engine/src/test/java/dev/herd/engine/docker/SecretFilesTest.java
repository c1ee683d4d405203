package dev.herd.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.engine.NodeSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFilesTest {
  @TempDir Path tmp;

  static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  static NodeSpec spec(NodeSpec.RunAs user) {
    return NodeSpec.builder().project("shop").fleet("web").node("web-1").releaseId("web:v1")
        .imageDigest("sha256:" + "a".repeat(64)).port(31001).runAs(user)
        .secret("api-key", "s3cret-value".getBytes(StandardCharsets.UTF_8)).build();
  }

  @Test
  void aNodesSecretsBelongToTheUserItRunsAsAndStayOutOfReachOfEveryoneElse() throws IOException {
    SecretFiles files = new SecretFiles(tmp.resolve("herd-secrets"));
    Path dir = files.write(spec(new NodeSpec.RunAs(4321, 4322))).orElseThrow();
    Path file = dir.resolve("api-key");
    assertThat(mode(tmp.resolve("herd-secrets"))).isEqualTo("rwx------");
    assertThat(mode(dir)).isEqualTo("rwx------");
    assertThat(mode(file)).isEqualTo("r--------");
    assertThat(Files.readString(file)).isEqualTo("s3cret-value");
    if (((Integer) Files.getAttribute(tmp, "unix:uid")) == 0) {
      for (Path p : new Path[] {dir, file}) {
        assertThat(Files.getAttribute(p, "unix:uid")).as(p.toString()).isEqualTo(4321);
        assertThat(Files.getAttribute(p, "unix:gid")).as(p.toString()).isEqualTo(4322);
      }
      // the root of every node's secrets is herd's own: another host user cannot reach a node's directory
      assertThat(Files.getAttribute(tmp.resolve("herd-secrets"), "unix:uid")).isEqualTo(0);
    }
  }

  @Test
  void aRootNodesSecretsStayRoots() throws IOException {
    SecretFiles files = new SecretFiles(tmp.resolve("herd-secrets"));
    Path dir = files.write(spec(NodeSpec.RunAs.ROOT)).orElseThrow();
    assertThat(Files.getAttribute(dir.resolve("api-key"), "unix:uid"))
        .isEqualTo(Files.getAttribute(tmp, "unix:uid"));
  }
}
