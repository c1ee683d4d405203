package dev.herd.image.oci;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** An OCI content descriptor: what a blob is, its digest and size, optional annotations. */
public record Descriptor(String mediaType, Digest digest, long size, Map<String, String> annotations) {
  public Descriptor {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
    if (mediaType.isBlank()) {
      throw new IllegalArgumentException("descriptor media type is blank");
    }
    if (size < 0) {
      throw new IllegalArgumentException("negative descriptor size " + size + " for " + digest);
    }
    annotations = annotations == null ? Map.of() : Map.copyOf(new TreeMap<>(annotations));
  }

  public Descriptor(String mediaType, Digest digest, long size) {
    this(mediaType, digest, size, Map.of());
  }
}
