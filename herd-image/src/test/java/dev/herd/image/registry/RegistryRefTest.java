package dev.herd.image.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.image.oci.ImageException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RegistryRefTest {
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "127.0.0.1:5000/shop/web:4          | 127.0.0.1:5000        | shop/web | 4      | true",
      "localhost/web                      | localhost             | web      | latest | true",
      "registry.example.com/a/b/c:v1.2-x  | registry.example.com  | a/b/c    | v1.2-x | false",
      "[::1]:5000/web:1                   | [::1]:5000            | web      | 1      | true",
      "10.0.0.5:5000/web:1                | 10.0.0.5:5000         | web      | 1      | false",
      "127.0.0.1.example.com/web:1        | 127.0.0.1.example.com | web      | 1      | false",
  })
  void parsesTags(String text, String host, String repository, String tag, boolean loopback) {
    RegistryRef r = RegistryRef.parse(text);
    assertThat(r.host()).isEqualTo(host);
    assertThat(r.repository()).isEqualTo(repository);
    assertThat(r.tag()).isEqualTo(tag);
    assertThat(r.loopback()).isEqualTo(loopback);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "web:4                           | names no registry",
      "debian/web:4                    | 'debian' is not a host",
      "127.0.0.1:5000/Shop/web:4       | must be lowercase path components",
      "127.0.0.1:5000/web@sha256:abc   | is not a sha256 digest",
      "127.0.0.1:5000/web:bad/tag      | tag 'bad/tag' must be",
      "127.0.0.1:5000/web:-x           | tag '-x' must be",
      "''                              | empty registry ref",
  })
  void refusesWithAReason(String text, String message) {
    assertThatThrownBy(() -> RegistryRef.parse(text)).isInstanceOf(ImageException.class).hasMessageContaining(message);
  }

  @org.junit.jupiter.api.Test
  void digestRefsKeepTheDigest() {
    String d = "sha256:" + "a".repeat(64);
    RegistryRef r = RegistryRef.parse("127.0.0.1:5000/shop/web@" + d);
    assertThat(r.digest()).hasToString(d);
    assertThat(r.tag()).isNull();
    assertThat(r).hasToString("127.0.0.1:5000/shop/web@" + d);
  }

  @org.junit.jupiter.api.Test
  void plainHttpOnlyForLoopback() {
    assertThatThrownBy(() -> new RegistryAccess("registry.example.com", true, null, null))
        .hasMessageContaining("needs TLS");
    assertThat(RegistryAccess.anonymous(RegistryRef.parse("127.0.0.1:5000/web:1")).plainHttp()).isTrue();
    assertThat(RegistryAccess.anonymous(RegistryRef.parse("registry.example.com/web:1")).plainHttp()).isFalse();
  }

  @org.junit.jupiter.api.Test
  void credentialsNeverPrintThePassword() {
    Credentials c = new Credentials("ci", "hunter2-secret".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(c.toString()).doesNotContain("hunter2");
    assertThat(new RegistryAccess("127.0.0.1:5000", false, null, c).toString()).doesNotContain("hunter2");
    assertThat(new String(java.util.Base64.getDecoder().decode(c.basicAuth()), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("ci:hunter2-secret");
  }
}
