package dev.herd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.spec.Spec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretStoreTest {
  private static final String PLAIN = "correct-horse-battery-staple-42";

  @TempDir Path dir;
  Spec spec;
  ConfigDb db;
  SecretStore secrets;

  @BeforeEach
  void open() {
    spec = TestSpecs.spec(dir);
    db = ConfigDb.open(dir);
    secrets = SecretStore.open(db, dir, Map.of(), Clock.systemUTC(), new Redactor());
  }

  @AfterEach
  void close() {
    db.close();
  }

  private SecretRevision set(String name, String value) {
    return secrets.set(spec, "prod", "web", name, value.getBytes(StandardCharsets.UTF_8), Edit.by("alice"));
  }

  @Test
  void roundTripWithRevisions() {
    assertThat(set("db_password", PLAIN).revision()).isEqualTo(1);
    assertThat(set("db_password", PLAIN + "-v2").revision()).isEqualTo(2);
    set("api.key", "k-123456");

    Secret latest = secrets.get(spec, "prod", "web", "db_password");
    assertThat(latest.revision()).isEqualTo(2);
    assertThat(new String(latest.value(), StandardCharsets.UTF_8)).isEqualTo(PLAIN + "-v2");
    assertThat(new String(secrets.get(spec, "prod", "web", "db_password", 1).value(), StandardCharsets.UTF_8)).isEqualTo(PLAIN);
    assertThat(secrets.revisions(spec, "prod", "web")).containsExactly(Map.entry("api.key", 1L), Map.entry("db_password", 2L));
    assertThat(secrets.history(spec, "prod", "web", "db_password")).extracting(SecretRevision::revision).containsExactly(2L, 1L);
    assertThat(new String(secrets.materialize("prod", "web", Map.of("db_password", 1L)).get("db_password"), StandardCharsets.UTF_8))
        .isEqualTo(PLAIN);
    // another scope does not see it
    assertThat(secrets.revisions(spec, "dev", "web")).isEmpty();
  }

  @Test
  void plaintextIsNeverInToStringOrOnDisk() throws IOException {
    set("db_password", PLAIN);
    Secret s = secrets.get(spec, "prod", "web", "db_password");
    assertThat(s.toString()).doesNotContain(PLAIN).contains("***");
    assertThat(secrets.history(spec, "prod", "web", "db_password").toString()).doesNotContain(PLAIN);
    byte[] needle = PLAIN.getBytes(StandardCharsets.UTF_8);
    List<Path> dbFiles;
    try (Stream<Path> files = Files.list(dir)) {
      dbFiles = files.filter(p -> p.getFileName().toString().startsWith("herd.db")).toList();
    }
    assertThat(dbFiles).isNotEmpty();
    long scanned = 0;
    for (Path f : dbFiles) {
      byte[] bytes = Files.readAllBytes(f);
      scanned += bytes.length;
      assertThat(indexOf(bytes, needle)).as("plaintext in %s", f).isEqualTo(-1);
    }
    assertThat(scanned).isGreaterThan(needle.length);
    // the scan does find a value stored in clear, so it can fail
    ConfigStore config = new ConfigStore(db, Clock.systemUTC(), new ConfigWatch(t -> 0));
    config.set(spec, "prod", "web", Map.of("PLAIN_VALUE", "visible-marker-9876"), Edit.by("a"));
    boolean found = false;
    for (Path f : dbFiles) {
      found |= Files.exists(f) && indexOf(Files.readAllBytes(f), "visible-marker-9876".getBytes(StandardCharsets.UTF_8)) >= 0;
    }
    assertThat(found).isTrue();
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void keyFileIsPrivate() throws IOException {
    Path keyFile = dir.resolve("keys/secrets.json");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile.getParent()))).isEqualTo("rwx------");
    set("x", PLAIN);
    secrets.rotateKey();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");

    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> SecretStore.open(db, dir, Map.of(), Clock.systemUTC(), new Redactor()))
        .hasMessageContaining("accessible by others").hasMessageContaining("chmod 600");
  }

  @Test
  void wrongKeyFailsClearly() throws IOException {
    set("db_password", PLAIN);
    Path other = dir.resolve("other");
    Files.createDirectories(other);
    try (ConfigDb otherDb = ConfigDb.open(other)) {
      SecretStore.open(otherDb, other, Map.of(), Clock.systemUTC(), new Redactor());
    }
    String otherKey = Files.readString(other.resolve("keys/secrets.json"));
    SecretStore wrong = SecretStore.open(db, dir, Map.of("HERD_SECRETS_KEY", otherKey), Clock.systemUTC(), new Redactor());
    assertThatThrownBy(() -> wrong.get(spec, "prod", "web", "db_password"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cannot decrypt secret db_password revision 1 in prod/web")
        .hasMessageContaining("does not hold")
        .hasMessageContaining("HERD_SECRETS_KEY")
        .hasMessageNotContaining(PLAIN);

    assertThatThrownBy(() -> SecretStore.open(db, dir, Map.of("HERD_SECRETS_KEY", "not json"), Clock.systemUTC(), new Redactor()))
        .hasMessageContaining("HERD_SECRETS_KEY is set but is not a Tink JSON keyset");
  }

  @Test
  void keyFromEnvironmentVariable() throws IOException {
    set("db_password", PLAIN);
    Path keyFile = dir.resolve("keys/secrets.json");
    String key = Files.readString(keyFile);
    Files.delete(keyFile);
    SecretStore fromEnv = SecretStore.open(db, dir, Map.of("HERD_SECRETS_KEY", key), Clock.systemUTC(), new Redactor());
    assertThat(new String(fromEnv.get(spec, "prod", "web", "db_password").value(), StandardCharsets.UTF_8)).isEqualTo(PLAIN);
    assertThat(keyFile).doesNotExist();
    assertThatThrownBy(fromEnv::rotateKey).hasMessageContaining("comes from HERD_SECRETS_KEY");
    // without the file and without the variable, herd refuses to make a new key that could not read them
    assertThatThrownBy(() -> SecretStore.open(db, dir, Map.of(), Clock.systemUTC(), new Redactor()))
        .hasMessageContaining("is missing but herd.db holds encrypted secrets");
    assertThat(keyFile).doesNotExist();
  }

  @Test
  void ciphertextMovedToAnotherSecretDoesNotDecrypt() {
    set("a", PLAIN);
    set("b", "something-else");
    db.write(c -> {
      try (var s = c.createStatement()) {
        s.executeUpdate("UPDATE cfg_secrets SET ciphertext = (SELECT ciphertext FROM cfg_secrets WHERE name = 'a') WHERE name = 'b'");
      }
      return null;
    });
    assertThatThrownBy(() -> secrets.get(spec, "prod", "web", "b"))
        .hasMessageContaining("does not authenticate");
  }

  @Test
  void rotateKeyKeepsEveryRevisionReadable() throws IOException {
    for (int i = 1; i <= 5; i++) {
      set("s" + (i % 2), PLAIN + i);
    }
    String before = Files.readString(dir.resolve("keys/secrets.json"));
    SecretStore.Rotation r = secrets.rotateKey();
    assertThat(r.reencrypted()).isEqualTo(5);
    assertThat(r.resumed()).isFalse();
    String after = Files.readString(dir.resolve("keys/secrets.json"));
    assertThat(after).isNotEqualTo(before);
    // a store opened fresh, with only the new key file, reads every revision
    SecretStore reopened = SecretStore.open(db, dir, Map.of(), Clock.systemUTC(), new Redactor());
    // s1 got values 1, 3, 5 (revisions 1-3); s0 got values 2, 4 (revisions 1-2)
    for (int i = 1; i <= 5; i++) {
      String name = "s" + (i % 2);
      long rev = (i + 1) / 2;
      assertThat(new String(reopened.get(spec, "prod", "web", name, rev).value(), StandardCharsets.UTF_8))
          .as("%s revision %d", name, rev)
          .isEqualTo(PLAIN + i);
    }
    // the old key alone no longer reads them: the rotation really re-encrypted
    SecretStore oldKey = SecretStore.open(db, dir, Map.of("HERD_SECRETS_KEY", before), Clock.systemUTC(), new Redactor());
    assertThatThrownBy(() -> oldKey.get(spec, "prod", "web", "s1", 1)).hasMessageContaining("does not hold");
  }

  @Test
  void rotationInterruptedAfterTheNewKeyIsWrittenResumes() {
    set("a", PLAIN);
    set("b", PLAIN + "b");
    // crash after step 1: the file holds old + new (primary), no row re-encrypted yet
    SecretKeys.load(dir, Map.of(), false).withNewPrimary();
    SecretStore afterCrash = SecretStore.open(db, dir, Map.of(), Clock.systemUTC(), new Redactor());
    assertThat(new String(afterCrash.get(spec, "prod", "web", "a").value(), StandardCharsets.UTF_8)).isEqualTo(PLAIN);
    SecretStore.Rotation r = afterCrash.rotateKey();
    assertThat(r.resumed()).isTrue();
    assertThat(r.reencrypted()).isEqualTo(2);
    assertThat(SecretKeys.load(dir, Map.of(), false).keyIds()).containsExactly(r.newPrimaryKeyId());
    assertThat(new String(afterCrash.get(spec, "prod", "web", "b").value(), StandardCharsets.UTF_8)).isEqualTo(PLAIN + "b");
  }

  @Test
  void namesAndValuesAreChecked() {
    assertThat(SecretNames.check("a/b")).hasValueSatisfying(m -> assertThat(m).contains("contains '/'"));
    assertThat(SecretNames.check("a..b")).hasValueSatisfying(m -> assertThat(m).contains("\"..\""));
    assertThat(SecretNames.check(".hidden")).hasValueSatisfying(m -> assertThat(m).contains("must start with"));
    assertThat(SecretNames.check("has space")).hasValueSatisfying(m -> assertThat(m).contains("\" \" at position 4"));
    assertThat(SecretNames.check("x".repeat(129))).hasValueSatisfying(m -> assertThat(m).contains("at most 128"));
    assertThat(SecretNames.check("tls.key")).isEmpty();
    assertThat(SecretNames.check("DB_PASSWORD")).isEmpty();
    assertThatThrownBy(() -> set("../etc/passwd", PLAIN)).isInstanceOf(ConfigException.class).hasMessageContaining("'/'");
    assertThatThrownBy(() -> secrets.set(spec, "prod", "web", "big", new byte[64 * 1024 + 1], Edit.by("a")))
        .hasMessageContaining("64 KiB");
    assertThatThrownBy(() -> secrets.set(spec, "prod", "web", "empty", new byte[0], Edit.by("a")))
        .hasMessageContaining("is empty");
    assertThatThrownBy(() -> secrets.set(spec, "qa", "web", "x", new byte[1], Edit.by("a")))
        .hasMessageContaining("unknown environment");
    assertThat(secrets.revisions(spec, "prod", "web")).isEmpty();
  }

  @Test
  void removeKeepsOldRevisionsForPinnedReleases() {
    set("a", PLAIN);
    assertThat(secrets.remove(spec, "prod", "web", "a", Edit.by("bob")).removed()).isTrue();
    assertThat(secrets.revisions(spec, "prod", "web")).isEmpty();
    assertThatThrownBy(() -> secrets.get(spec, "prod", "web", "a")).hasMessageContaining("was removed in revision 2");
    assertThat(secrets.materialize("prod", "web", Map.of("a", 1L))).containsKey("a");
    assertThatThrownBy(() -> secrets.remove(spec, "prod", "web", "a", Edit.by("bob"))).hasMessageContaining("no secret a");
  }

  @Test
  void redactorLearnsEveryStoredValue() {
    set("a", PLAIN);
    set("pem", "-----BEGIN KEY-----\nMIIBVwIBADANBgkqhkiG9w0BAQEF\n-----END KEY-----\n");
    Redactor r = secrets.redactor();
    assertThat(r.redact("connecting with password=" + PLAIN + " now")).isEqualTo("connecting with password=*** now");
    assertThat(r.redact("bad line: MIIBVwIBADANBgkqhkiG9w0BAQEF")).isEqualTo("bad line: ***");
    assertThat(r.redact("nothing secret here")).isEqualTo("nothing secret here");
    // a fresh redactor primed from the store knows them too
    SecretStore fresh = SecretStore.open(db, dir, Map.of(), Clock.systemUTC(), new Redactor());
    assertThat(fresh.redactor().redact(PLAIN)).isEqualTo(PLAIN);
    fresh.primeRedactor();
    assertThat(fresh.redactor().redact("x" + PLAIN + "x")).isEqualTo("x***x");
  }

  @Test
  void redactorReplacesLongestFirstAndSkipsTinyValues() {
    Redactor r = new Redactor();
    r.add("abcd");
    r.add("abcdefgh");
    r.add("ab");
    assertThat(r.redact("abcdefgh abcd ab")).isEqualTo("*** *** ab");
  }
}
