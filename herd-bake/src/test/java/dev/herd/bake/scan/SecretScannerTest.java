package dev.herd.bake.scan;

import dev.herd.common.secrets.Redaction;
import dev.herd.common.secrets.SecretRules;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.herd.bake.tree.Origin;
import dev.herd.spec.Location;
import dev.herd.spec.SecretScan;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SecretScannerTest {
  // Built by concatenation so this source file is not itself a "secret" for other scanners.
  static final String AWS_KEY = "AKIA" + "Z7Q2X4RHP3MNB5KD";
  static final String AWS_SECRET = "k3J9" + "xQ7mT2vLp8RzW4nYb6HsD1fGc5AeU0oI/+aB";
  static final String GHP = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";
  static final String GLPAT = "glpat-" + "Xy7Kq2Lm9Np4Rs6Tv8Wz";
  static final String SLACK = "xoxb-" + "123456789012-abcdefGHIJKL";
  static final String STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc";
  static final String PASSWORD = "Xk9#mQ2" + "vL7!pR4z";
  static final String TINK_VALUE = "GiD0" + "test0nlyKeyBytesNotARealKey00000000000000";
  static final String JWK_D = "test" + "0nly-8x7Yq2Lm9Np4Rs6Tv8Wz3Kd";

  final SecretScanner scanner = new SecretScanner(SecretScan.NONE);
  final LayerRef layer0 = LayerRef.of(0, "sha256:" + "ab".repeat(32), "base");
  final LayerRef layer1 = LayerRef.of(1, "sha256:" + "cd".repeat(32), "resources");

  private ScanReport scanText(String path, String text) {
    return scanner.scanLayer(layer1, new ByteArrayInputStream(Layers.tar().file(path, text).bytes(false)));
  }

  @Test
  void findingsCarryTheirLineAmongLinesTheRulesSkip() {
    String text = "DB_PASSWORD=" + PASSWORD + "\n" // 1
        + "# nothing here\n" // 2
        + "token = request.headers.get('X-Token')\n" // 3: a candidate line without a hit
        + "\n" // 4
        + "plain " + GHP + " and " + SLACK + "\n" // 5: two hits on one line
        + "more text\r\n" // 6
        + "api_key: " + PASSWORD; // 7, no newline at the end
    List<Finding> findings = scanText("/etc/app/env", text).findings();
    assertThat(findings).extracting(Finding::rule, Finding::line).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple(SecretRules.GENERIC_SECRET, 1),
        org.assertj.core.groups.Tuple.tuple(SecretRules.GITHUB_TOKEN, 5),
        org.assertj.core.groups.Tuple.tuple(SecretRules.SLACK_TOKEN, 5),
        org.assertj.core.groups.Tuple.tuple(SecretRules.GENERIC_SECRET, 7));
  }

  @Test
  void aLayerOfManyFilesIsReportedInTarOrderWhateverTheThreads() {
    // files are scanned on every core; the report must be the one a scan on one thread gives
    Layers layer = Layers.tar();
    List<String> expected = new java.util.ArrayList<>();
    for (int i = 0; i < 400; i++) {
      String path = "/srv/app/f" + i + ".env";
      boolean secret = i % 37 == 5;
      byte[] big = new byte[i % 50 == 0 ? SecretScanner.MAX_BYTES_PER_FILE + 10 : 2_000 + i];
      java.util.Arrays.fill(big, (byte) 'x');
      String text = (secret ? "DB_PASSWORD=" + PASSWORD + "\n" : "plain = text\n") + new String(big, StandardCharsets.US_ASCII);
      layer.file(path.substring(1), text);
      if (secret) {
        expected.add(path);
      }
    }
    layer.file("bin/tool", new byte[] {0x7f, 'E', 'L', 'F', 0, 1, 2});
    ScanReport r = scanner.scanLayer(layer1, new ByteArrayInputStream(layer.bytes(true)));
    assertThat(r.findings()).extracting(Finding::path).containsExactlyElementsOf(expected);
    assertThat(r.findings()).allSatisfy(f -> assertThat(f.line()).isEqualTo(1));
    assertThat(r.stats().files()).isEqualTo(401);
    assertThat(r.stats().binarySkipped()).isEqualTo(1);
    assertThat(r.stats().truncatedFiles()).isEqualTo(8);
  }

  static Stream<Arguments> positives() {
    return Stream.of(
        Arguments.of(SecretRules.AWS_ACCESS_KEY, "/etc/app/env", "AWS_ACCESS_KEY_ID=" + AWS_KEY, AWS_KEY, "AKIA…"),
        Arguments.of(SecretRules.AWS_SECRET_KEY, "/root/.config/app.ini", "aws_secret_access_key = " + AWS_SECRET, AWS_SECRET, "aws_secret_access_key=k3J9…"),
        Arguments.of(SecretRules.PRIVATE_KEY, "/etc/ssl/private/site.key",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7V" + "q9secretbody\n-----END RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA7Vq9secretbody",
            "-----BEGIN RSA PRIVATE KEY----- (key body not shown)"),
        Arguments.of(SecretRules.GITHUB_TOKEN, "/srv/app/.env", "GH=" + GHP, GHP, "ghp_…"),
        Arguments.of(SecretRules.GITHUB_TOKEN, "/srv/app/ci.sh", "export T=github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuv", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv", "gith…"),
        Arguments.of(SecretRules.GITLAB_TOKEN, "/srv/app/.env", "CI=" + GLPAT, GLPAT, "glpa…"),
        Arguments.of(SecretRules.SLACK_TOKEN, "/srv/app/hook.json", "{\"t\": \"" + SLACK + "\"}", SLACK, "xoxb…"),
        Arguments.of(SecretRules.STRIPE_KEY, "/srv/app/pay.yml", "key " + STRIPE, STRIPE, "sk_l…"),
        Arguments.of(SecretRules.GENERIC_SECRET, "/etc/app/db.env", "DB_PASSWORD=\"" + PASSWORD + "\"", PASSWORD, "DB_PASSWORD=Xk9…"),
        Arguments.of(SecretRules.GENERIC_SECRET, "/etc/app/conf.yaml", "  api_key: " + PASSWORD, PASSWORD, "api_key=Xk9…"),
        // Key material (issue 18: herd's own Tink keyset was baked into an image and passed).
        Arguments.of(SecretRules.TINK_KEYSET, "/srv/www/keys.json", "{\"primaryKeyId\": 1829,\n\"key\": [{\"keyData\": {\"typeUrl\": "
            + "\"type.googleapis.com/google.crypto.tink.AesGcmKey\", \"value\": \"" + TINK_VALUE + "\"}, \"status\": \"ENABLED\"}]}",
            TINK_VALUE, "Tink keyset (key material not shown)"),
        Arguments.of(SecretRules.JWK_PRIVATE_KEY, "/etc/app/jwk.json", "{\"kty\": \"EC\", \"crv\": \"P-256\",\n \"d\": \"" + JWK_D + "\"}",
            JWK_D, "JSON Web Key (kty EC) with private members (not shown)"),
        Arguments.of(SecretRules.PRIVATE_KEY, "/root/.ssh/deploy", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA" + "test0nly\n"
            + "-----END OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAtest0nly", "-----BEGIN OPENSSH PRIVATE KEY----- (key body not shown)"));
  }

  @ParameterizedTest(name = "{0} in {1}")
  @MethodSource("positives")
  void eachRuleFindsItsSecretAndNeverShowsIt(String rule, String path, String text, String secret, String excerpt) {
    ScanReport r = scanText(path, "# config\n" + text + "\n");
    assertThat(r.findings()).extracting(Finding::rule).containsExactly(rule);
    Finding f = r.findings().getFirst();
    assertThat(f.path()).isEqualTo(path);
    assertThat(f.line()).isEqualTo(2);
    assertThat(f.layer()).isEqualTo(layer1);
    assertThat(f.excerpt()).isEqualTo(excerpt);
    String message = r.blockingMessage("web", Map.of());
    assertThat(message).doesNotContain(secret).contains(excerpt);
    assertThat(message).doesNotContain(secret.substring(0, Math.min(secret.length(), 8)));
  }

  static Stream<Arguments> negatives() {
    return Stream.of(
        Arguments.of("/etc/app/env", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"),
        Arguments.of("/etc/app/env", "AWS_ACCESS_KEY_ID=AKIA1234"),
        Arguments.of("/root/.config/app.ini", "aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}"),
        Arguments.of("/etc/ssl/certs/site.pem", "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----"),
        Arguments.of("/etc/ssh/ssh_host_ed25519_key.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB root@host"),
        Arguments.of("/srv/app/.env", "GH=ghp_short"),
        Arguments.of("/srv/app/.env", "CI=glpat-short"),
        Arguments.of("/srv/app/hook.json", "{\"t\": \"xoxb-\"}"),
        Arguments.of("/srv/app/pay.yml", "key sk_test_4eC39HqLyjWDarjtT1zdp7dc"),
        Arguments.of("/etc/app/db.env", "DB_PASSWORD=changeme"),
        Arguments.of("/etc/app/db.env", "DB_PASSWORD=${DB_PASSWORD}"),
        Arguments.of("/etc/app/conf.yaml", "secret: {{ app_secret }}"),
        Arguments.of("/etc/app/conf.yaml", "password: <redacted>"),
        Arguments.of("/etc/app/conf.yaml", "api_key: aaaaaaaaaaaaaaaa"),
        Arguments.of("/etc/app/conf.yaml", "password_file: /run/secrets/db_password"),
        Arguments.of("/srv/app/main.py", "token = request.headers.get('X-Token')"),
        Arguments.of("/srv/app/README", "Set the password with herd secret set."));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("negatives")
  void lookalikesAndPlaceholdersAreNotFindings(String path, String text) {
    assertThat(scanText(path, text + "\n").findings()).isEmpty();
  }

  static Stream<Arguments> credentialFiles() {
    return Stream.of(
        Arguments.of("/root/.aws/credentials", "[default]\nregion=eu-west-1\n"),
        Arguments.of("/home/app/.netrc", "machine example.test login app\n"),
        Arguments.of("/home/app/.git-credentials", "https://example.test\n"),
        Arguments.of("/var/lib/postgresql/.pgpass", "*:*:*:app:x\n"),
        Arguments.of("/root/.ssh/id_rsa", "opaque\n"),
        Arguments.of("/root/.ssh/id_ed25519", "opaque\n"),
        Arguments.of("/root/.ssh/id_ecdsa", "opaque\n"),
        Arguments.of("/root/.kube/config", "apiVersion: v1\n"),
        Arguments.of("/root/.docker/config.json", "{\"auths\": {\"registry.test\": {\"auth\": \"YXBwOnBhc3M=\"}}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("credentialFiles")
  void credentialFilesAreFoundByPath(String path, String content) {
    ScanReport r = scanText(path, content);
    assertThat(r.findings()).extracting(Finding::rule).contains(SecretRules.CREDENTIAL_FILE);
    Finding f = r.findings().stream().filter(x -> x.rule().equals(SecretRules.CREDENTIAL_FILE)).findFirst().orElseThrow();
    assertThat(f.line()).isZero();
    assertThat(f.excerpt()).endsWith("content not shown)");
  }

  @Test
  void credentialLookalikesAreNotFindings() {
    assertThat(scanText("/root/.ssh/id_rsa.pub", "ssh-rsa AAAA\n").findings()).isEmpty();
    assertThat(scanText("/root/.docker/config.json", "{\"auths\": {}}").findings()).isEmpty();
    assertThat(scanText("/root/.netrc", "").findings()).isEmpty();
  }

  @Test
  void aSecretDeletedInALaterLayerIsStillFoundInItsLayer() {
    byte[] l0 = Layers.tar().file("./srv/app/.env", "STRIPE=" + STRIPE + "\n").file("./srv/app/ok.txt", "fine").bytes(true);
    byte[] l1 = Layers.tar().file("./srv/app/.wh..env", "").bytes(true);
    ScanReport r = scanner.scanLayers(List.of(
        new SecretScanner.Layer(layer0, () -> new ByteArrayInputStream(l0)),
        new SecretScanner.Layer(layer1, () -> new ByteArrayInputStream(l1))));
    assertThat(r.findings()).hasSize(1);
    Finding f = r.findings().getFirst();
    assertThat(f.layer()).isEqualTo(layer0);
    assertThat(f.path()).isEqualTo("/srv/app/.env");
    assertThat(f.hiddenBy()).contains(layer1);
    assertThat(f.toString()).isEqualTo("stripe-key in /srv/app/.env:1 (layer 0 sha256:abababababab (stage base); removed or"
        + " replaced in layer 1 sha256:cdcdcdcdcdcd (stage resources) but still in this layer's blob): sk_l…");
    assertThat(r.stats().files()).isEqualTo(2);
  }

  @Test
  void opaqueDirectoryAndReplacementAlsoHideLowerFiles() {
    byte[] l0 = Layers.tar().file("etc/app/a.env", "T=" + GLPAT).file("etc/b.env", "T=" + GLPAT).bytes(false);
    byte[] l1 = Layers.tar().file("etc/app/.wh..wh..opq", "").file("etc/b.env", "T=none").bytes(false);
    ScanReport r = scanner.scanLayers(List.of(
        new SecretScanner.Layer(layer0, () -> new ByteArrayInputStream(l0)),
        new SecretScanner.Layer(layer1, () -> new ByteArrayInputStream(l1))));
    assertThat(r.findings()).extracting(f -> f.hiddenBy().isPresent()).containsExactly(true, true);
  }

  @Test
  void allowlistAcceptsPathAndRulesButNothingElse() {
    Location loc = new Location(Path.of("herd.yaml"), 40, 11);
    SecretScanner allowing = new SecretScanner(new SecretScan(List.of(
        new SecretScan.Allow("/usr/share/doc/**", List.of(), "upstream docs with sample keys", loc),
        new SecretScan.Allow("/etc/app/fixture.env", List.of(SecretRules.STRIPE_KEY), "test fixture", loc))));
    byte[] tar = Layers.tar()
        .file("usr/share/doc/tool/example.txt", "key " + STRIPE + "\nT=" + GHP)
        .file("etc/app/fixture.env", "key " + STRIPE + "\nT=" + GHP)
        .bytes(false);
    ScanReport r = allowing.scanLayer(layer1, new ByteArrayInputStream(tar));
    assertThat(r.allowed()).extracting(a -> a.finding().path() + " " + a.finding().rule() + " " + a.reason()).containsExactly(
        "/usr/share/doc/tool/example.txt stripe-key upstream docs with sample keys",
        "/usr/share/doc/tool/example.txt github-token upstream docs with sample keys",
        "/etc/app/fixture.env stripe-key test fixture");
    assertThat(r.findings()).extracting(f -> f.path() + " " + f.rule()).containsExactly("/etc/app/fixture.env github-token");
  }

  @Test
  void unknownAllowRuleIsRefused() {
    Location loc = new Location(Path.of("herd.yaml"), 40, 11);
    assertThatThrownBy(() -> new SecretScanner(new SecretScan(List.of(new SecretScan.Allow("/x", List.of("aws-key"), "r", loc)))))
        .hasMessageContaining("herd.yaml:40:11: secret_scan.allow rule \"aws-key\" is not one of");
  }

  @Test
  void binaryFilesGetNoContentRulesAndLargeFilesAreCapped() {
    byte[] binary = ("\0\1\2ELF " + GHP).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    byte[] big = new byte[SecretScanner.MAX_BYTES_PER_FILE + 100];
    Arrays.fill(big, (byte) 'a');
    big[10] = '\n';
    byte[] tail = ("\n" + GHP + "\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    System.arraycopy(tail, 0, big, big.length - tail.length, tail.length);
    byte[] layer = Layers.tar().file("usr/bin/tool", binary).file("var/big.log", big).bytes(true);
    // A 1 MiB line must not make the scan hang (no backtracking blow-up).
    ScanReport r = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> scanner.scanLayer(layer1, new ByteArrayInputStream(layer)));
    assertThat(r.findings()).isEmpty();
    assertThat(r.stats()).isEqualTo(new ScanReport.Stats(2, binary.length + SecretScanner.MAX_BYTES_PER_FILE, 1, 1));
  }

  @Test
  void scansAStagingDirectoryWithoutFollowingSymlinks(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("root/etc/app"));
    Files.writeString(dir.resolve("root/etc/app/env"), "x=1\nSLACK=" + SLACK + "\n");
    Files.writeString(dir.resolve("host-secret"), "T=" + GHP);
    Files.createSymbolicLink(dir.resolve("root/etc/app/link"), dir.resolve("host-secret"));
    ScanReport r = scanner.scanTree(dir.resolve("root"), LayerRef.of(2, null, "run: build"));
    assertThat(r.findings()).extracting(Finding::toString).containsExactly("slack-token in /etc/app/env:2 (layer 2 (stage run: build)): xoxb…");
  }

  @Test
  void blockingMessageNamesRuleFileLayerResourceAndTheRuntimeSecretAdvice() {
    ScanReport r = scanText("/etc/app/db.env", "DB_PASSWORD=" + PASSWORD + "\n");
    Origin origin = new Origin(new Location(Path.of("herd.yaml"), 14, 9), "roles.web.resources[3]");
    assertThatThrownBy(() -> r.throwIfFindings("web", SecretScanner.producers(new dev.herd.bake.tree.ChangeReport(List.of(
            new dev.herd.bake.tree.Change(dev.herd.bake.tree.Change.Kind.CREATED, "/etc/app/db.env", "20 bytes", origin))))))
        .isInstanceOf(SecretsFoundException.class)
        .hasMessage("secret scan: 1 finding blocks the bake of role web\n"
            + "  herd.yaml:14:9: roles.web.resources[3]: generic-secret in /etc/app/db.env:1 (layer 1 sha256:cdcdcdcdcdcd (stage resources)): DB_PASSWORD=Xk9…\n"
            + "deliver this value at runtime as a secret (`herd secret set ENV/web/NAME`) instead of baking it;"
            + " for a false positive add the path to roles.web.secret_scan.allow with a reason")
        .message().doesNotContain(PASSWORD);
  }

  @Test
  void longLinesFullOfKeyCharactersScanInLinearTime() {
    String line = "password".repeat(100_000) + "x".repeat(200_000);
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> SecretRules.scanLine(line));
  }

  @Test
  void shortSecretsShowLessThanFourCharacters() {
    assertThat(Redaction.redact("abcdefgh")).isEqualTo("ab…");
    assertThat(Redaction.redact("abcdefghijklmnop")).isEqualTo("abcd…");
  }

  @Test
  void zstdLayersAreRefusedClearly() {
    byte[] zstd = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0};
    assertThatThrownBy(() -> scanner.scanLayer(layer1, new ByteArrayInputStream(zstd)))
        .hasMessageContaining("layer 1");
  }
}
