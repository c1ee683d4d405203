package dev.herd.image.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** skopeo's messages (as containers/image words them) → herd's one line. */
class RegistryErrorsTest {
  static final RegistryRef REF = RegistryRef.parse("127.0.0.1:5000/shop/web:4");

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "wrong credentials | 'initializing source docker://127.0.0.1:5000/shop/web:4: reading manifest 4 in 127.0.0.1:5000/shop/web: unauthorized: authentication required' | refused the credentials (HTTP 401)",
      "unknown repo      | 'initializing source docker://127.0.0.1:5000/shop/web:4: reading manifest 4 in 127.0.0.1:5000/shop/web: manifest unknown: manifest unknown' | no such image in registry 127.0.0.1:5000",
      "server error      | 'reading manifest 4 in 127.0.0.1:5000/shop/web: received unexpected HTTP status: 500 Internal Server Error' | answered HTTP 500 (server error); nothing was imported",
      "cut blob          | 'writing blob: storing blob to file \"/tmp/x\": happened during read: unexpected EOF' | the connection to 127.0.0.1:5000 broke during the transfer",
      "cut upload        | 'writing blob: Patch \"https://127.0.0.1:5000/v2/shop/web/blobs/uploads/d98?_state=NDAxIGRlbmllZA%3D%3D\": use of closed network connection' | the connection to 127.0.0.1:5000 broke during the transfer",
      "lying manifest    | 'reading manifest sha256:aa in 127.0.0.1:5000/shop/web: manifest digest sha256:bb does not match expected digest sha256:aa' | digest does not match",
      "arm-only index    | 'choosing an image from manifest list docker://x: no image found in manifest list for architecture amd64, variant \"\", OS linux' | multi-arch index with no linux/",
      "untrusted TLS     | 'pinging container registry 127.0.0.1:5000: Get \"https://127.0.0.1:5000/v2/\": x509: certificate signed by unknown authority' | is not trusted; give the registry's CA",
      "refused           | 'pinging container registry 127.0.0.1:5000: Get \"https://127.0.0.1:5000/v2/\": dial tcp 127.0.0.1:5000: connect: connection refused' | cannot reach registry 127.0.0.1:5000",
  })
  void explainsInOneLine(String what, String said, String expected) {
    String line = RegistryErrors.explain("pull", REF, said);
    assertThat(line).startsWith("pull 127.0.0.1:5000/shop/web:4: ").contains(expected).doesNotContain("\n");
  }

  @Test
  void aPortThatContains401Or500IsNotAStatus() {
    RegistryRef ref = RegistryRef.parse("127.0.0.1:24015/shop/nope:1");
    assertThat(RegistryErrors.explain("pull", ref, "reading manifest 1 in 127.0.0.1:24015/shop/nope: manifest unknown: manifest unknown"))
        .contains("no such image in registry 127.0.0.1:24015");
    RegistryRef five = RegistryRef.parse("127.0.0.1:5003/shop/web:1");
    assertThat(RegistryErrors.explain("pull", five, "Get \"https://127.0.0.1:5003/v2/\": EOF"))
        .contains("broke during the transfer");
  }

  @Test
  void somethingUnknownIsPassedOnAfterTheRef() {
    assertThat(RegistryErrors.explain("push", REF, "something new")).isEqualTo("push 127.0.0.1:5000/shop/web:4: something new");
  }

  @Test
  void keepsOnlySkopeosMessage() {
    assertThat(Skopeo.message("time=\"2026-12-06T03:00:00Z\" level=fatal msg=\"reading manifest: \\\"x\\\" unknown\"\n"))
        .isEqualTo("reading manifest: \"x\" unknown");
  }
}
