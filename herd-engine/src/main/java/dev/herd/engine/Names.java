package dev.herd.engine;

import java.util.regex.Pattern;

/** Validation shared by the engine's records. */
final class Names {
  static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  private Names() {}

  static String name(String what, String value) {
    if (!isName(value)) {
      throw new IllegalArgumentException(
          what + " must be lower-case letters, digits and '-' (1-63, not starting or ending with '-'), got: " + value);
    }
    return value;
  }

  /**
   * {@link #NAME} without the regex engine: every node the engine lists is checked, and the
   * matcher was a tenth of a 10,000-node reconcile round.
   */
  static boolean isName(String value) {
    if (value == null || value.isEmpty() || value.length() > 63) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean alnum = c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
      if (!alnum && (c != '-' || i == 0 || i == value.length() - 1)) {
        return false;
      }
    }
    return true;
  }

  static String digest(String what, String value) {
    if (value == null || !DIGEST.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " must be sha256:<64 hex digits>, got: " + value);
    }
    return value;
  }
}
