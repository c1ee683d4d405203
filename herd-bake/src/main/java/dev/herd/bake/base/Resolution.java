package dev.herd.bake.base;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The packages a recipe resolves to against the mirror as it is now.
 *
 * @param packages every package that will be in the tree (requested ones and their
 *     dependencies), sorted
 * @param releaseDate the newest {@code Date:} of the mirror's Release files; the tree's
 *     SOURCE_DATE_EPOCH, so that an unchanged mirror gives an unchanged tree
 */
public record Resolution(BaseRecipe recipe, List<DebianPackage> packages, Optional<Instant> releaseDate) {
  public Resolution {
    packages = packages.stream().sorted().toList();
  }

  /** SOURCE_DATE_EPOCH for the tree: the mirror's release date, or the Unix epoch if unknown. */
  public Instant epoch() {
    return releaseDate.orElse(Instant.EPOCH);
  }
}
