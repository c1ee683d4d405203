package dev.herd.bake.base;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The packages a recipe resolves to against the mirror as it is now.
 *
 * @param packages every package that will be in the tree (requested ones and their
 *     dependencies), sorted
 * @param releaseDate the newest {@code Date:} of the mirror's Release files; the tree's
 *     SOURCE_DATE_EPOCH, so that an unchanged mirror gives an unchanged tree
 * @param index the apt lists directory the resolution was read from, handed to mmdebstrap so a
 *     cold bake downloads the package index once, not twice; not part of the cache key
 * @param security the resolved packages whose version a security archive offers ({@code
 *     *-security}), as apt reported it; recorded in the SBOM so {@code herd image diff} can flag
 *     them; not part of the cache key
 */
public record Resolution(BaseRecipe recipe, List<DebianPackage> packages, Optional<Instant> releaseDate, Optional<Path> index,
    Set<DebianPackage> security) {
  public Resolution {
    packages = packages.stream().sorted().toList();
    security = Set.copyOf(security);
    java.util.Objects.requireNonNull(releaseDate, "releaseDate");
    java.util.Objects.requireNonNull(index, "index");
  }

  public Resolution(BaseRecipe recipe, List<DebianPackage> packages, Optional<Instant> releaseDate, Optional<Path> index) {
    this(recipe, packages, releaseDate, index, Set.of());
  }

  public Resolution(BaseRecipe recipe, List<DebianPackage> packages, Optional<Instant> releaseDate) {
    this(recipe, packages, releaseDate, Optional.empty());
  }

  /** The same packages and index at another SOURCE_DATE_EPOCH. */
  public Resolution at(Optional<Instant> date) {
    return new Resolution(recipe, packages, date, index, security);
  }

  /** SOURCE_DATE_EPOCH for the tree: the mirror's release date, or the Unix epoch if unknown. */
  public Instant epoch() {
    return releaseDate.orElse(Instant.EPOCH);
  }
}
