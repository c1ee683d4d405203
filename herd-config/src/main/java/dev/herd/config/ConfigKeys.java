package dev.herd.config;

import dev.herd.common.secrets.SecretRules;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** What a config key and value may be, with the reason when they may not. */
public final class ConfigKeys {
  /** Values are delivered as env vars and files; this keeps one key from swamping a node's env. */
  public static final int MAX_VALUE_BYTES = 64 * 1024;

  private static final Pattern KEY = Pattern.compile("[A-Z_][A-Z0-9_]*");
  private static final int MAX_KEY = 128;

  private ConfigKeys() {}

  /** Why {@code key} cannot be a config key, or empty when it can. */
  public static Optional<String> checkKey(String key) {
    return checkKey(key, new Scope("ENV", "ROLE"));
  }

  /** The same, with the advice naming {@code scope}. */
  public static Optional<String> checkKey(String key, Scope scope) {
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
    if (key.equals("PORT") || key.equals("HOST") || key.startsWith("HERD_")) {
      return Optional.of("config key " + key + " is reserved: herd sets PORT, HOST and HERD_* itself");
    }
    Optional<String> secretWord = SecretRules.secretWordInName(key);
    if (secretWord.isPresent()) {
      String word = secretWord.get();
      return Optional.of("config key " + key + " looks like a secret (contains " + word + "): " + useSecret(scope, key));
    }
    return Optional.empty();
  }

  /**
   * Why {@code value} must be a secret rather than config: it is (or contains) a stored secret's
   * value, or it looks like a credential or key material by the bake's secret scan rules. The
   * value is never part of the reason beyond the scan's redacted excerpt.
   */
  public static Optional<String> checkNotSecret(Scope scope, String key, String value, Predicate<String> storedSecret) {
    if (value == null) {
      return Optional.empty();
    }
    if (storedSecret.test(value)) {
      return Optional.of("value of " + key + " is the value of a stored secret: " + useSecret(scope, key));
    }
    return SecretRules.credentialIn(key, value).map(hit -> "value of " + key + " looks like a credential (" + hit.rule() + ": "
        + hit.excerpt() + "): " + useSecret(scope, key));
  }

  /** The advice, with the exact command the CLI accepts. */
  static String useSecret(Scope scope, String key) {
    return "config is stored and delivered in plain text; store it as a secret with `herd secret set " + scope.environment()
        + "/" + scope.role() + "/" + key + "` (it reads the value from stdin or --value-file and keeps it encrypted)";
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
