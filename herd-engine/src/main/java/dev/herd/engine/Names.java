package dev.herd.engine;

import java.util.regex.Pattern;

/** Validation shared by the engine's records. */
final class Names {
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  private Names() {}

  static String name(String what, String value) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(
          what + " must be lower-case letters, digits and '-' (1-63, not starting or ending with '-'), got: " + value);
    }
    return value;
  }

  static String digest(String what, String value) {
    if (value == null || !DIGEST.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " must be sha256:<64 hex digits>, got: " + value);
    }
    return value;
  }
}
