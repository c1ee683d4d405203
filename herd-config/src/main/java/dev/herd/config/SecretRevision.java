package dev.herd.config;

import java.time.Instant;
import java.util.Objects;

/**
 * One revision of a secret, without its value.
 *
 * @param removed the secret was removed in this revision
 */
public record SecretRevision(Scope scope, String name, long revision, String author, Instant time, String message, boolean removed) {
  public SecretRevision {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(message, "message");
  }
}
