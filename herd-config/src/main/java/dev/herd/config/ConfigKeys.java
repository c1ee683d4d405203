package dev.herd.config;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/** What a config key and value may be, with the reason when they may not. */
public final class ConfigKeys {
  /** Values are delivered as env vars and files; this keeps one key from swamping a node's env. */
  public static final int MAX_VALUE_BYTES = 64 * 1024;

  private static final Pattern KEY = Pattern.compile("[A-Z_][A-Z0-9_]*");
  private static final int MAX_KEY = 128;
  /** Substrings that mark a value someone should not be reading in plain text. */
  private static final Pattern SECRET_LIKE =
      Pattern.compile("PASSWORD|PASSWD|SECRET|API_?KEY|PRIVATE_?KEY|CREDENTIAL|(?:^|_)TOKEN(?:$|_)");

  private ConfigKeys() {}

  /** Why {@code key} cannot be a config key, or empty when it can. */
  public static Optional<String> checkKey(String key) {
    if (key == null || key.isEmpty()) {
      return Optional.of("a config key must not be empty");
    }
    if (key.length() > MAX_KEY) {
      return Optional.of("config key " + Texts.quote(key) + " is longer than " + MAX_KEY + " characters");
    }
    if (!KEY.matcher(key).matches()) {
      return Optional.of("config key " + Texts.quote(key) + " must match [A-Z_][A-Z0-9_]*: keys become environment"
          + " variables, so use uppercase letters, digits and '_', not starting with a digit");
    }
    if (key.equals("PORT") || key.startsWith("HERD_")) {
      return Optional.of("config key " + key + " is reserved: herd sets PORT and HERD_* itself");
    }
    var m = SECRET_LIKE.matcher(key);
    if (m.find()) {
      String word = m.group().replaceAll("^_|_$", "");
      return Optional.of("config key " + key + " looks like a secret (contains " + word + "): config is stored and"
          + " delivered in plain text; store it with `herd secret set <env> <role> " + key + "`, which reads the"
          + " value from stdin or a file and keeps it encrypted");
    }
    return Optional.empty();
  }

  /** Why {@code value} cannot be the value of {@code key}, or empty when it can. */
  public static Optional<String> checkValue(String key, String value) {
    if (value == null) {
      return Optional.of("config key " + key + " has no value");
    }
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_VALUE_BYTES) {
      return Optional.of("value of " + key + " is " + bytes + " bytes, more than the limit of 64 KiB ("
          + MAX_VALUE_BYTES + " bytes)");
    }
    if (value.indexOf('\0') >= 0) {
      return Optional.of("value of " + key + " contains a NUL character, which no environment variable can hold");
    }
    return Optional.empty();
  }
}
