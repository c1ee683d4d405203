package dev.herd.bake.scan;

import java.util.Optional;

/**
 * Which layer (or stage directory) a finding is in: its position in the image, its blob digest
 * when known, and the bake stage that produced it ("base", "resources", "run: build").
 */
public record LayerRef(int index, Optional<String> digest, String stage) {
  public LayerRef {
    if (index < 0) {
      throw new IllegalArgumentException("layer index must not be negative: " + index);
    }
    digest = digest.filter(d -> !d.isBlank());
    if (stage == null || stage.isBlank()) {
      throw new IllegalArgumentException("stage must be named");
    }
  }

  public static LayerRef of(int index, String digest, String stage) {
    return new LayerRef(index, Optional.ofNullable(digest), stage);
  }

  /** "layer 2 sha256:1a2b3c4d5e6f (stage resources)". */
  @Override
  public String toString() {
    String d = digest.map(x -> " " + (x.length() > 19 ? x.substring(0, 19) : x)).orElse("");
    return "layer " + index + d + " (stage " + stage + ")";
  }
}
