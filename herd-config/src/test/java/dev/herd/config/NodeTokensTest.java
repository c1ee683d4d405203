package dev.herd.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeTokensTest {
  @TempDir Path dir;

  @Test
  void issueVerifyRevoke() throws Exception {
    try (ConfigDb db = ConfigDb.open(dir)) {
      NodeTokens tokens = new NodeTokens(db, Clock.systemUTC());
      NodeIdentity web3 = new NodeIdentity("web", "web-3", "prod", "web");
      NodeToken t = tokens.issue(web3);
      assertThat(t.reveal()).startsWith("hnt_").hasSizeGreaterThan(40);
      assertThat(t.toString()).doesNotContain(t.reveal());
      assertThat(tokens.verify(t.reveal())).contains(web3);
      assertThat(tokens.verify(t.reveal() + "x")).isEmpty();
      assertThat(tokens.verify("")).isEmpty();
      assertThat(tokens.verify(null)).isEmpty();
      // two nodes get different tokens; a new token for a node replaces its old one
      NodeToken other = tokens.issue(new NodeIdentity("web", "web-4", "prod", "web"));
      assertThat(other.reveal()).isNotEqualTo(t.reveal());
      NodeToken again = tokens.issue(web3);
      assertThat(tokens.verify(t.reveal())).isEmpty();
      assertThat(tokens.verify(again.reveal())).contains(web3);
      tokens.revoke("web", "web-3");
      assertThat(tokens.verify(again.reveal())).isEmpty();
      assertThat(tokens.verify(other.reveal())).isPresent();
    }
    // stored hashed: the token text is nowhere in the database files
    try (ConfigDb db = ConfigDb.open(dir)) {
      String token = new NodeTokens(db, Clock.systemUTC()).issue(new NodeIdentity("a", "a-1", "dev", "web")).reveal();
      for (Path f : Files.list(dir).filter(p -> p.getFileName().toString().startsWith("herd.db")).toList()) {
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).doesNotContain(token);
      }
    }
  }
}
