package dev.herd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.common.secrets.SecretRules;
import dev.herd.spec.Spec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: a config value equal to a stored secret, or one that looks like a credential, was
 * stored in plain text (database, WAL, world-readable node files). It is refused with the exact
 * {@code herd secret set ENV/ROLE/NAME} form the CLI accepts, and nothing is written.
 */
class SecretsAsConfigTest {
  @TempDir Path dir;

  @Test
  void aStoredSecretsValueIsRefusedAsConfigAndNotWritten() {
    Spec spec = TestSpecs.spec(dir);
    String value = "s3cr3t-" + Long.toHexString(System.nanoTime()) + "-value";
    try (HerdConfig cfg = HerdConfig.open(dir, Map.of())) {
      cfg.secrets().set(spec, "prod", "web", "db-password", value.getBytes(StandardCharsets.UTF_8), Edit.by("a"));
      long before = cfg.config().revision(spec, "dev", "web");
      for (String v : new String[] {value, "postgres://app:" + value + "@db1/app"}) {
        assertThatThrownBy(() -> cfg.config().set(spec, "dev", "web", Map.of("DB_URL", v), Edit.by("a")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("value of DB_URL is the value of a stored secret")
            .hasMessageContaining("`herd secret set dev/web/DB_URL`")
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain(value));
      }
      assertThat(cfg.config().revision(spec, "dev", "web")).isEqualTo(before);
      cfg.config().set(spec, "dev", "web", Map.of("DB_URL", "postgres://db1/app"), Edit.by("a"));
    }
    // A fresh service (the offline CLI path) knows the stored secrets too.
    try (HerdConfig cfg = HerdConfig.open(dir, Map.of())) {
      assertThatThrownBy(() -> cfg.config().set(spec, "dev", "worker", Map.of("X", value), Edit.by("a")))
          .hasMessageContaining("is the value of a stored secret");
    }
  }

  @Test
  void credentialsAndKeyMaterialAreRefusedByTheScanRules() throws Exception {
    Spec spec = TestSpecs.spec(dir);
    String ghp = "ghp_" + "test0nly".repeat(5);
    try (HerdConfig cfg = HerdConfig.open(dir, Map.of())) {
      assertThatThrownBy(() -> cfg.config().set(spec, "prod", "web", Map.of("UPSTREAM", ghp), Edit.by("a")))
          .hasMessageContaining("value of UPSTREAM looks like a credential (github-token: ghp_…)")
          .hasMessageContaining("`herd secret set prod/web/UPSTREAM`")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(ghp));
      // herd's own keyset, exactly as it is on disk, is key material.
      String keyset = Files.readString(dir.resolve("keys").resolve(SecretKeys.FILE));
      assertThat(SecretRules.scanDocument(keyset)).extracting(h -> h.hit().rule()).containsExactly(SecretRules.TINK_KEYSET);
      assertThatThrownBy(() -> cfg.config().set(spec, "prod", "web", Map.of("KEYS", keyset), Edit.by("a")))
          .hasMessageContaining("value of KEYS looks like a credential (tink-keyset");
      assertThat(cfg.config().revision(spec, "prod", "web")).isZero();
      // Ordinary values pass.
      cfg.config().set(spec, "prod", "web", Map.of("GREETING", "hello", "LOG_LEVEL", "debug"), Edit.by("a"));
    }
  }

  @Test
  void theKeyNameHintIsTheFormTheCliAccepts() {
    assertThat(ConfigKeys.checkKey("DB_PASSWORD", new Scope("prod", "web")))
        .hasValueSatisfying(m -> assertThat(m).contains("`herd secret set prod/web/DB_PASSWORD`").doesNotContain("<env>"));
  }
}
