package dev.herd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryCredentialsTest {
  private static final String LOGIN = "ci\nsuper-secret-registry-password-77";

  @TempDir Path dir;

  @Test
  void storedEncryptedReadBackAndNeverInANodeScope() throws Exception {
    try (ConfigDb db = ConfigDb.open(dir)) {
      SecretStore secrets = SecretStore.open(db, dir, Map.of(), Clock.systemUTC(), new Redactor());
      assertThat(secrets.registryCredentials("shop", "shop-push")).isEmpty();
      secrets.setRegistryCredentials("shop", "shop-push", LOGIN.getBytes(StandardCharsets.UTF_8), Edit.by("alice"));
      assertThat(secrets.setRegistryCredentials("shop", "shop-push", LOGIN.getBytes(StandardCharsets.UTF_8), Edit.by("alice")).revision())
          .isEqualTo(2);
      assertThat(new String(secrets.registryCredentials("shop", "shop-push").orElseThrow().value(), StandardCharsets.UTF_8)).isEqualTo(LOGIN);
      assertThat(secrets.registryCredentials("other", "shop-push")).isEmpty();
      assertThat(secrets.redactor().redact("pw=super-secret-registry-password-77")).doesNotContain("super-secret");
      assertThatThrownBy(() -> secrets.setRegistryCredentials("Shop!", "x", new byte[] {1}, Edit.by("a")))
          .isInstanceOf(ConfigException.class);
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain("super-secret-registry");
      }
    }
  }
}
