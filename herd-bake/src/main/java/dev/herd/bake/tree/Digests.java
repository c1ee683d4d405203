package dev.herd.bake.tree;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** sha256 helpers for change reasons and tests. */
public final class Digests {
  private Digests() {}

  public static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  /** The first 4 hex digits, enough to tell two versions apart in a one-line reason. */
  public static String shortSha256(byte[] data) {
    return sha256(data).substring(0, 4) + "…";
  }
}
