package dev.herd.config;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One change to an environment's flags: {@code flag} as it became ({@code definition} empty when
 * deleted). Revisions are numbered per environment across all its flags.
 */
public record FlagRevision(String environment, long revision, String flag, Optional<Flag> definition, String author, Instant time, String message) {
  public FlagRevision {
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(flag, "flag");
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(message, "message");
  }
}
