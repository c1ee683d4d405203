package dev.herd.config;

import dev.herd.common.Refusal;

/**
 * A config, secret or flag operation that failed. {@link #kind()} tells an API how to answer
 * (400, 404, 409, 500); the message names what and where, and never contains a secret value.
 */
public final class ConfigException extends RuntimeException implements Refusal {
  /** Why an operation failed. */
  public enum Kind {
    /** Bad input: the caller can fix it. */
    INVALID,
    /** A named environment, role, key, secret, flag or revision does not exist. */
    NOT_FOUND,
    /** Keys are missing or wrong: secrets cannot be decrypted. */
    KEY,
    /** The state (database, files) could not be read or written. */
    STORAGE
  }

  private final Kind kind;

  public ConfigException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public ConfigException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  static ConfigException invalid(String message) {
    return new ConfigException(Kind.INVALID, message);
  }

  static ConfigException notFound(String message) {
    return new ConfigException(Kind.NOT_FOUND, message);
  }

  public Kind kind() {
    return kind;
  }
}
