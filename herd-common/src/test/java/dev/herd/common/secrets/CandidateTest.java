package dev.herd.common.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link SecretRules#nextCandidate} may point at lines without a hit, never miss a line with one. */
class CandidateTest {
  // built by concatenation so this file is not itself a "secret" for other scanners
  static final List<String> HITS = List.of(
      "AWS_ACCESS_KEY_ID=" + "AKIA" + "Z7Q2X4RHP3MNB5KD",
      "x=" + "ASIA" + "Z7Q2X4RHP3MNB5KD",
      "AWS_Secret_Access_Key: " + "k3J9" + "xQ7mT2vLp8RzW4nYb6HsD1fGc5AeU0oI/+aB",
      "-----BEGIN RSA " + "PRIVATE KEY-----",
      "-----BEGIN " + "PRIVATE KEY-----",
      "PuTTY-User-Key-File-" + "3: ssh-ed25519",
      "GH=" + "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
      "GH=" + "ghs_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
      "T=github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuv",
      "CI=" + "glpat-" + "Xy7Kq2Lm9Np4Rs6Tv8Wz",
      "{\"t\": \"" + "xoxb-" + "123456789012-abcdefGHIJKL\"}",
      "key " + "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
      "key " + "rk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
      "DB_PASSWORD=\"" + "Xk9#mQ2" + "vL7!pR4z\"",
      "db_passwd = " + "Xk9#mQ2" + "vL7!pR4z",
      "  Api_Key: " + "Xk9#mQ2" + "vL7!pR4z",
      "apikey => '" + "Xk9#mQ2" + "vL7!pR4z'",
      "X-Api-Key: " + "Xk9#mQ2" + "vL7!pR4z",
      "CLIENT_SECRET=" + "Xk9#mQ2" + "vL7!pR4z",
      "Session-Token: " + "Xk9#mQ2" + "vL7!pR4z");

  @Test
  void everyLineWithAHitHasACandidateOnIt() {
    for (String line : HITS) {
      assertThat(SecretRules.scanLine(line)).as(line).isNotEmpty();
      int at = SecretRules.nextCandidate(line, 0);
      assertThat(at).as(line).isBetween(0, line.length() - 1);
      // and a candidate on the line is found from anywhere before it
      assertThat(SecretRules.nextCandidate("plain words\n" + line, 0)).as(line).isGreaterThanOrEqualTo("plain words\n".length());
    }
  }

  @Test
  void ordinaryTextHasNoCandidate() {
    for (String line : List.of("", "# nginx configuration", "server { listen 8080; root /srv/www; }", "exec /usr/sbin/nginx -g 'daemon off;'",
        "Copyright 2024 The Debian Project", "----BEGIN", "AKI", "ghx_ and gh_ and glpat but xo")) {
      assertThat(SecretRules.nextCandidate(line, 0)).as(line).isEqualTo(-1);
    }
    assertThat(SecretRules.nextCandidate("password", 1)).isEqualTo(-1);
    assertThat(SecretRules.nextCandidate("a token", -5)).isEqualTo(2);
  }

  @Test
  void randomLinesWithAHitAlwaysHaveACandidate() {
    // fragments of every rule, shuffled into noise: whatever scanLine finds, nextCandidate must point at
    List<String> parts = List.of("AKIA", "ASIA", "Z7Q2X4RHP3MNB5KD", "ghp_", "gho_", "github_pat_", "glpat-", "xoxp-", "sk_live_",
        "rk_live_", "-----BEGIN ", "PRIVATE KEY-----", "PuTTY-User-Key-File-2: x", "PassWord", "PASSWD", "secret", "Token", "API_KEY",
        "apiKey", "api-key", "aws_secret_key", " = ", ": ", "=> ", "\"", "'", "Xk9#mQ2vL7!pR4zQ", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
        "123456789012-abcdefGHIJKL", "4eC39HqLyjWDarjtT1zdp7dc", "k3J9xQ7mT2vLp8RzW4nYb6HsD1fGc5AeU0oI/+aB", " ", "_", "x", "\t");
    Random random = new Random(14);
    int withHits = 0;
    for (int n = 0; n < 50_000; n++) {
      StringBuilder line = new StringBuilder();
      for (int k = random.nextInt(6) + 1; k > 0; k--) {
        line.append(parts.get(random.nextInt(parts.size())));
      }
      String s = line.toString();
      if (!SecretRules.scanLine(s).isEmpty()) {
        withHits++;
        assertThat(SecretRules.nextCandidate(s, 0)).as(s).isNotNegative();
      }
    }
    assertThat(withHits).as("lines with a hit among the random ones").isGreaterThan(1_000);
  }
}
