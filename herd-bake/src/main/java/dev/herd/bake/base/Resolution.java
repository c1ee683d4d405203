package dev.herd.bake.base;

import java.nio.file.Path;
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
 * @param index the apt lists directory the resolution was read from, handed to mmdebstrap so a
 *     cold bake downloads the package index once, not twice; not part of the cache key
 */
public record Resolution(BaseRecipe recipe, List<DebianPackage> packages, Optional<Instant> releaseDate, Optional<Path> index) {
  public Resolution {
    packages = packages.stream().sorted().toList();
    java.util.Objects.requireNonNull(releaseDate, "releaseDate");
    java.util.Objects.requireNonNull(index, "index");
  }

  public Resolution(BaseRecipe recipe, List<DebianPackage> packages, Optional<Instant> releaseDate) {
    this(recipe, packages, releaseDate, Optional.empty());
  }

  /** The same packages and index at another SOURCE_DATE_EPOCH. */
  public Resolution at(Optional<Instant> date) {
    return new Resolution(recipe, packages, date, index);
  }

  /** SOURCE_DATE_EPOCH for the tree: the mirror's release date, or the Unix epoch if unknown. */
  public Instant epoch() {
    return releaseDate.orElse(Instant.EPOCH);
  }
}
