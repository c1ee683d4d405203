package dev.herd.bake.scan;

import java.util.Objects;
import java.util.Optional;

/**
 * A probable secret in the image. {@code excerpt} is already redacted (at most the first four
 * characters of the secret, then "…"); the secret itself is never kept.
 *
 * @param line 1-based line number, 0 for whole-file rules (credential files)
 * @param hiddenBy a later layer that removes or replaces the file: the secret is still in this
 *     layer's blob, so it still blocks the bake
 */
public record Finding(String rule, String path, LayerRef layer, int line, String excerpt, Optional<LayerRef> hiddenBy) {
  public Finding {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(excerpt, "excerpt");
    Objects.requireNonNull(hiddenBy, "hiddenBy");
  }

  Finding hiddenBy(LayerRef later) {
    return new Finding(rule, path, layer, line, excerpt, Optional.of(later));
  }

  /** "aws-access-key in /etc/app/env:3 (layer 2 sha256:… (stage resources)): AKIA…". */
  @Override
  public String toString() {
    String where = line > 0 ? path + ":" + line : path;
    String hidden = hiddenBy.map(h -> "; removed or replaced in " + h + " but still in this layer's blob").orElse("");
    return rule + " in " + where + " (" + layer + hidden + "): " + excerpt;
  }
}
