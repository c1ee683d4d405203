package dev.herd.image.catalog;

import java.time.Instant;
import java.util.Objects;

/** Why and when an image was revoked. A revoked image is never resolved for deployment. */
public record Revocation(String reason, Instant at) {
  public Revocation {
    Objects.requireNonNull(at, "at");
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("a revocation needs a reason");
    }
  }
}
