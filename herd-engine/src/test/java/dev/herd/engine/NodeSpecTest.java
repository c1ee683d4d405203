package dev.herd.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NodeSpecTest {
  private static final String DIGEST = "sha256:" + "cd".repeat(32);

  private NodeSpec.Builder valid() {
    return NodeSpec.builder().project("shop").fleet("web").node("web-1").releaseId("r1")
        .imageDigest(DIGEST).port(8080);
  }

  @Test
  void defaultsAreAReadOnlyRootAndHerdLabels() {
    NodeSpec s = valid().generation(3).build();
    assertThat(s.readOnlyRoot()).isTrue();
    assertThat(s.labels()).containsEntry("herd.managed", "true").containsEntry("herd.project", "shop")
        .containsEntry("herd.fleet", "web").containsEntry("herd.node", "web-1")
        .containsEntry("herd.generation", "3").containsEntry("herd.release", "r1");
    assertThat(s.effectiveEnv()).containsEntry("PORT", "8080").containsEntry("HOST", "127.0.0.1");
    assertThat(s.ref().containerName()).isEqualTo("shop-web-1");
  }

  @Test
  void aSecretValueInEnvIsRefusedWithoutPrintingIt() {
    assertThatThrownBy(() -> valid().secret("db", "hunter2-long".getBytes(StandardCharsets.UTF_8))
            .env("DB_URL", "postgres://u:hunter2-long@db").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DB_URL").hasMessageContaining("secret db")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void toStringNamesSecretsButNeverShowsThem() {
    NodeSpec s = valid().secret("api_key", "sk-very-secret".getBytes(StandardCharsets.UTF_8)).build();
    assertThat(s.toString()).contains("api_key").doesNotContain("sk-very-secret");
  }

  @Test
  void secretsAreCopiedSoCallersMayWipeTheirArrays() {
    byte[] v = "abcdefgh".getBytes(StandardCharsets.UTF_8);
    NodeSpec s = valid().secret("k", v).build();
    java.util.Arrays.fill(v, (byte) 0);
    assertThat(new String(s.secret("k"), StandardCharsets.UTF_8)).isEqualTo("abcdefgh");
  }

  @Test
  void badValuesAreRejectedNamingWhatIsWrong() {
    assertThatThrownBy(() -> valid().node("Web_1").build()).hasMessageContaining("node");
    assertThatThrownBy(() -> valid().imageDigest("latest").build()).hasMessageContaining("image digest");
    assertThatThrownBy(() -> valid().port(0).build()).hasMessageContaining("port");
    assertThatThrownBy(() -> valid().env("PORT", "1").build()).hasMessageContaining("PORT");
    assertThatThrownBy(() -> valid().env("HOST", "0.0.0.0").build()).hasMessageContaining("must not set HOST");
    assertThatThrownBy(() -> valid().writablePath("tmp").build()).hasMessageContaining("writable path");
    assertThatThrownBy(() -> valid().writablePath("/run").build()).hasMessageContaining("/run/secrets");
    assertThatThrownBy(() -> valid().secret("../x", new byte[1]).build()).hasMessageContaining("secret name");
    assertThatThrownBy(() -> valid().configDir(Path.of("rel")).build()).hasMessageContaining("config dir");
    assertThatThrownBy(() -> valid().generation(0).build()).hasMessageContaining("generation");
  }
}
