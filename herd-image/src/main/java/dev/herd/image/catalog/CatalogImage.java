package dev.herd.image.catalog;

import dev.herd.image.oci.Digest;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One version of a role in the catalog: {@code web:3} → manifest digest, when it was registered,
 * its size (manifest + config + layers), lineage, the channels pointing at it and its revocation.
 */
public record CatalogImage(
    String role,
    int version,
    Digest digest,
    Instant created,
    long size,
    Lineage lineage,
    List<String> channels,
    Optional<Revocation> revocation) {

  public CatalogImage {
    Names.role(role);
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1, got " + version);
    }
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(lineage, "lineage");
    channels = List.copyOf(channels);
    Objects.requireNonNull(revocation, "revocation");
  }

  /** {@code web:3}: the name in index.json and in the CLI. */
  public String ref() {
    return role + ":" + version;
  }

  public boolean revoked() {
    return revocation.isPresent();
  }
}
