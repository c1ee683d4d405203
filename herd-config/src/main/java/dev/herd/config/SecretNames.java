package dev.herd.config;

import java.util.Optional;

/**
 * What a secret name may be: it becomes a file name under /run/secrets, so
 * {@code [A-Za-z0-9_][A-Za-z0-9._-]{0,127}}, which rules out '/', "..", hidden files and spaces.
 */
public final class SecretNames {
  public static final int MAX_LENGTH = 128;
  public static final int MAX_VALUE_BYTES = 64 * 1024;

  private SecretNames() {}

  /** Why {@code name} cannot name a secret, or empty when it can. */
  public static Optional<String> check(String name) {
    if (name == null || name.isEmpty()) {
      return Optional.of("a secret name must not be empty");
    }
    String q = Texts.quote(name);
    if (name.length() > MAX_LENGTH) {
      return Optional.of("secret name " + q + " is " + name.length() + " characters, at most " + MAX_LENGTH + " allowed");
    }
    if (name.indexOf('/') >= 0) {
      return Optional.of("secret name " + q + " contains '/': a name is one file name under /run/secrets, not a path");
    }
    if (name.contains("..")) {
      return Optional.of("secret name " + q + " contains \"..\", which could point outside /run/secrets");
    }
    char first = name.charAt(0);
    if (!(Character.isLetterOrDigit(first) && first < 128 || first == '_')) {
      return Optional.of("secret name " + q + " must start with a letter, digit or '_', not " + Texts.quote(String.valueOf(first)));
    }
    for (int i = 1; i < name.length(); i++) {
      char ch = name.charAt(i);
      boolean ok = ch < 128 && (Character.isLetterOrDigit(ch) || ch == '.' || ch == '_' || ch == '-');
      if (!ok) {
        return Optional.of("secret name " + q + " has " + Texts.quote(String.valueOf(ch)) + " at position " + (i + 1)
            + "; use letters, digits, '.', '_' and '-'");
      }
    }
    return Optional.empty();
  }

  static Optional<String> checkValue(String name, byte[] value) {
    if (value == null || value.length == 0) {
      return Optional.of("secret " + name + " is empty (was stdin or the file empty?)");
    }
    if (value.length > MAX_VALUE_BYTES) {
      return Optional.of("secret " + name + " is " + value.length + " bytes, more than the limit of 64 KiB ("
          + MAX_VALUE_BYTES + " bytes)");
    }
    return Optional.empty();
  }
}
