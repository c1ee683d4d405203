package dev.herd.image.layer;

import dev.herd.image.oci.Descriptor;
import dev.herd.image.oci.Digest;
import dev.herd.image.oci.MediaTypes;
import java.util.Objects;

/**
 * A written layer: {@code digest} is the sha256 of the gzip blob (what manifests reference),
 * {@code diffId} the sha256 of the uncompressed tar (what image configs list), {@code size} the
 * blob's length in bytes.
 */
public record LayerBlob(Digest digest, Digest diffId, long size) {
  public LayerBlob {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(diffId, "diffId");
    if (size <= 0) {
      throw new IllegalArgumentException("layer blob size must be positive, got " + size);
    }
  }

  public Descriptor descriptor() {
    return new Descriptor(MediaTypes.LAYER_TAR_GZIP, digest, size);
  }
}
