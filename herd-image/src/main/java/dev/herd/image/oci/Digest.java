package dev.herd.image.oci;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A content digest, always {@code sha256:<64 lowercase hex>} in herd. */
public record Digest(String hex) implements Comparable<Digest> {
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
  public static final String ALGORITHM = "sha256";

  public Digest {
    if (hex == null || !HEX.matcher(hex).matches()) {
      throw new IllegalArgumentException("not a sha256 hex digest: " + hex);
    }
  }

  /** Parses {@code sha256:<hex>}; anything else is an {@link ImageException} naming the input. */
  public static Digest parse(String s) {
    if (s == null || !s.startsWith(ALGORITHM + ":") || !HEX.matcher(s.substring(7)).matches()) {
      throw new ImageException("not a sha256 digest: '" + s + "' (expected sha256:<64 hex chars>)");
    }
    return new Digest(s.substring(7));
  }

  public static Digest of(byte[] bytes) {
    return new Digest(HexFormat.of().formatHex(sha256().digest(bytes)));
  }

  public static Digest of(String utf8) {
    return of(utf8.getBytes(StandardCharsets.UTF_8));
  }

  public static Digest fromRaw(byte[] sha256) {
    return new Digest(HexFormat.of().formatHex(sha256));
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** The first 12 hex characters, as shown in tables. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  @Override
  public String toString() {
    return ALGORITHM + ":" + hex;
  }

  @Override
  public int compareTo(Digest o) {
    return hex.compareTo(o.hex);
  }
}
