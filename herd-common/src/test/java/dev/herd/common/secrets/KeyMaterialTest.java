package dev.herd.common.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Key material is found whatever its format. Every key here is generated when the test runs
 * (nothing real-looking is committed); each case says which rule must find it.
 */
class KeyMaterialTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  static Stream<Arguments> keys() throws Exception {
    KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
    rsaGen.initialize(2048);
    KeyPair rsa = rsaGen.generateKeyPair();
    KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
    ecGen.initialize(256);
    KeyPair ec = ecGen.generateKeyPair();
    KeyPairGenerator edGen = KeyPairGenerator.getInstance("Ed25519");
    KeyPair ed = edGen.generateKeyPair();
    RSAPrivateCrtKey rsaKey = (RSAPrivateCrtKey) rsa.getPrivate();
    ECPrivateKey ecKey = (ECPrivateKey) ec.getPrivate();
    return Stream.of(
        Arguments.of("PKCS#8 RSA", pem("PRIVATE KEY", rsa.getPrivate().getEncoded()), SecretRules.PRIVATE_KEY),
        Arguments.of("PKCS#8 EC", pem("PRIVATE KEY", ec.getPrivate().getEncoded()), SecretRules.PRIVATE_KEY),
        Arguments.of("PKCS#8 Ed25519", pem("PRIVATE KEY", ed.getPrivate().getEncoded()), SecretRules.PRIVATE_KEY),
        Arguments.of("encrypted PKCS#8", pem("ENCRYPTED PRIVATE KEY", encrypted(rsa.getPrivate().getEncoded())), SecretRules.PRIVATE_KEY),
        Arguments.of("PKCS#1 RSA header", pem("RSA PRIVATE KEY", rsa.getPrivate().getEncoded()), SecretRules.PRIVATE_KEY),
        Arguments.of("SEC1 EC header", pem("EC PRIVATE KEY", ec.getPrivate().getEncoded()), SecretRules.PRIVATE_KEY),
        Arguments.of("OpenSSH", pem("OPENSSH PRIVATE KEY", openSshShaped()), SecretRules.PRIVATE_KEY),
        Arguments.of("PEM in a JSON string", "{\"key\": \"" + pem("PRIVATE KEY", ec.getPrivate().getEncoded()).replace("\n", "\\n") + "\"}",
            SecretRules.PRIVATE_KEY),
        Arguments.of("PuTTY", "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\n" + b64(bytes(32)) + "\n",
            SecretRules.PRIVATE_KEY),
        Arguments.of("Tink cleartext keyset (pretty)", tinkKeyset(true), SecretRules.TINK_KEYSET),
        Arguments.of("Tink cleartext keyset (one line)", tinkKeyset(false), SecretRules.TINK_KEYSET),
        Arguments.of("Tink encrypted keyset", "{\"encryptedKeyset\":\"" + b64(bytes(120)) + "\",\"keysetInfo\":{\"primaryKeyId\":"
            + RANDOM.nextInt(1 << 30) + ",\"keyInfo\":[]}}", SecretRules.TINK_KEYSET),
        Arguments.of("JWK RSA", "{\n  \"kty\": \"RSA\",\n  \"n\": \"" + b64u(rsaKey.getModulus().toByteArray()) + "\",\n  \"e\": \"AQAB\",\n  \"d\": \""
            + b64u(rsaKey.getPrivateExponent().toByteArray()) + "\"\n}\n", SecretRules.JWK_PRIVATE_KEY),
        Arguments.of("JWK EC", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + b64u(bytes(32)) + "\",\"y\":\"" + b64u(bytes(32))
            + "\",\"d\":\"" + b64u(ecKey.getS().toByteArray()) + "\"}", SecretRules.JWK_PRIVATE_KEY),
        Arguments.of("JWK oct", "{\"keys\":[{\"kty\":\"oct\",\"k\":\"" + b64u(bytes(32)) + "\",\"alg\":\"HS256\"}]}", SecretRules.JWK_PRIVATE_KEY));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keys")
  void keyMaterialIsFoundAndNeverShown(String what, String text, String rule) {
    List<String> rules = Stream.concat(
            text.lines().flatMap(l -> SecretRules.scanLine(l).stream()).map(SecretRules.Hit::rule),
            SecretRules.scanDocument(text).stream().map(h -> h.hit().rule()))
        .toList();
    assertThat(rules).contains(rule);
    // What a finding shows never includes the key's body.
    String longest = text.lines().max((a, b) -> a.length() - b.length()).orElseThrow();
    Stream.concat(text.lines().flatMap(l -> SecretRules.scanLine(l).stream()), SecretRules.scanDocument(text).stream().map(SecretRules.LineHit::hit))
        .forEach(h -> assertThat(h.excerpt()).doesNotContain(longest.length() > 40 ? longest.substring(20, 40) : "\u0000"));
    assertThat(SecretRules.credentialIn("ANY", text)).map(SecretRules.Hit::rule).isPresent();
  }

  static Stream<Arguments> notKeys() {
    return Stream.of(
        Arguments.of("public JWK", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + b64u(bytes(32)) + "\",\"y\":\"" + b64u(bytes(32)) + "\"}"),
        Arguments.of("Tink keyset info only", "{\"primaryKeyId\": 12, \"keyInfo\": [{\"typeUrl\": \"type.googleapis.com/google.crypto.tink.AesGcmKey\"}]}"),
        Arguments.of("public key PEM", "-----BEGIN PUBLIC KEY-----\n" + b64(bytes(64)) + "\n-----END PUBLIC KEY-----\n"),
        Arguments.of("a JSON schema", "{\"properties\": {\"kty\": {\"type\": \"string\"}, \"d\": {\"type\": \"string\"}}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notKeys")
  void publicPartsAndLookalikesAreNotKeyMaterial(String what, String text) {
    assertThat(SecretRules.scanDocument(text)).isEmpty();
    assertThat(text.lines().flatMap(l -> SecretRules.scanLine(l).stream())).isEmpty();
  }

  /** The shape Tink's JsonKeysetWriter writes for a cleartext keyset, around random bytes. */
  static String tinkKeyset(boolean pretty) {
    String nl = pretty ? "\n  " : "";
    int id = RANDOM.nextInt(1 << 30);
    return "{" + nl + "\"primaryKeyId\": " + id + "," + nl + "\"key\": [{" + nl + "\"keyData\": {" + nl
        + "\"typeUrl\": \"type.googleapis.com/google.crypto.tink.AesGcmKey\"," + nl + "\"value\": \"" + b64(bytes(34)) + "\","
        + nl + "\"keyMaterialType\": \"SYMMETRIC\"" + nl + "}," + nl + "\"status\": \"ENABLED\"," + nl + "\"keyId\": " + id + ","
        + nl + "\"outputPrefixType\": \"TINK\"" + nl + "}]" + (pretty ? "\n" : "") + "}";
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  /** openssh-key-v1 magic and random bytes: the header is what identifies the format. */
  static byte[] openSshShaped() {
    byte[] magic = "openssh-key-v1\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] body = bytes(200);
    byte[] out = new byte[magic.length + body.length];
    System.arraycopy(magic, 0, out, 0, magic.length);
    System.arraycopy(body, 0, out, magic.length, body.length);
    return out;
  }

  /** The key encrypted under a random AES key (what matters to the rule is the PEM type). */
  static byte[] encrypted(byte[] pkcs8) throws Exception {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(bytes(16), "AES"), new javax.crypto.spec.GCMParameterSpec(128, bytes(12)));
    return c.doFinal(pkcs8);
  }

  static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  static String b64u(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
