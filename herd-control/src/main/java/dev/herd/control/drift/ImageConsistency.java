package dev.herd.control.drift;

import dev.herd.image.catalog.CatalogImage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How current a fleet's images are: the oldest image any of its live nodes runs, how many
 * non-revoked versions of its role are newer, and how long ago its base was refreshed (the first
 * time the catalog saw an image of that role with the same base: a rebake that resolves newer
 * base packages, or a new registry base digest, starts a new base).
 *
 * @param oldestImage {@code web:3}, the lowest catalog version among the images in service
 * @param latestImage the role's newest non-revoked version
 * @param versionsBehind non-revoked versions of the role newer than the oldest image
 * @param baseAgeDays whole days since the oldest image's base was refreshed; empty for a scratch
 *     base (nothing to refresh) or when lineage does not name the base
 * @param imagesInService distinct images the live nodes run
 */
public record ImageConsistency(String fleet, String oldestImage, String latestImage, int versionsBehind,
    OptionalLong baseAgeDays, int imagesInService) {
  /** Points the score loses per version behind, at most {@link #MAX_BEHIND_POINTS}. */
  static final int POINTS_PER_VERSION = 5;
  static final int MAX_BEHIND_POINTS = 15;
  /** A base older than this loses {@link #OLD_BASE_POINTS}: security updates are likely missing. */
  static final int OLD_BASE_DAYS = 30;
  static final int OLD_BASE_POINTS = 10;

  public ImageConsistency {
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(oldestImage, "oldestImage");
    Objects.requireNonNull(latestImage, "latestImage");
    Objects.requireNonNull(baseAgeDays, "baseAgeDays");
    if (versionsBehind < 0 || imagesInService < 1) {
      throw new IllegalArgumentException("versions behind must be >= 0 and images in service >= 1, got "
          + versionsBehind + " and " + imagesInService);
    }
  }

  /**
   * @param inService digests of the images the fleet's live nodes run (repeats allowed)
   * @param catalog every catalog image of the role(s) those digests may belong to
   * @return empty when no node runs an image the catalog knows
   */
  public static Optional<ImageConsistency> of(String fleet, Collection<String> inService, List<CatalogImage> catalog, Instant now) {
    List<CatalogImage> running = new ArrayList<>();
    for (String digest : new java.util.TreeSet<>(inService)) {
      catalog.stream().filter(i -> i.digest().toString().equals(digest)).findFirst().ifPresent(running::add);
    }
    Optional<CatalogImage> oldest = running.stream().min(Comparator.comparingInt(CatalogImage::version));
    if (oldest.isEmpty()) {
      return Optional.empty();
    }
    CatalogImage o = oldest.get();
    List<CatalogImage> role = catalog.stream().filter(i -> i.role().equals(o.role())).toList();
    CatalogImage latest = role.stream().filter(i -> !i.revoked()).max(Comparator.comparingInt(CatalogImage::version)).orElse(o);
    int behind = (int) role.stream().filter(i -> !i.revoked() && i.version() > o.version()).count();
    String base = o.lineage().baseDigest();
    OptionalLong baseAge = OptionalLong.empty();
    if (base != null && !base.isEmpty() && !base.equals("scratch")) {
      Instant since = role.stream().filter(i -> base.equals(i.lineage().baseDigest())).map(CatalogImage::created)
          .min(Comparator.naturalOrder()).orElse(o.created());
      baseAge = OptionalLong.of(Math.max(0, Duration.between(since, now).toDays()));
    }
    return Optional.of(new ImageConsistency(fleet, o.ref(), latest.ref(), behind, baseAge, running.size()));
  }

  /** {@code oldest image web:3, 2 versions behind web:5, base refreshed 41 days ago}. */
  public String summary() {
    return "oldest image " + oldestImage + ", " + (versionsBehind == 0 ? "the latest" : versionsBehind + " version"
        + (versionsBehind == 1 ? "" : "s") + " behind " + latestImage)
        + (baseAgeDays.isPresent() ? ", base refreshed " + baseAgeDays.getAsLong() + " day" + (baseAgeDays.getAsLong() == 1 ? "" : "s") + " ago" : "");
  }

  /** The score's notes and points for staleness (empty when current). */
  List<String> lostPoints(int[] score) {
    List<String> notes = new ArrayList<>();
    if (versionsBehind > 0) {
      int lost = Math.min(MAX_BEHIND_POINTS, POINTS_PER_VERSION * versionsBehind);
      score[0] -= lost;
      notes.add("oldest image " + oldestImage + " is " + versionsBehind + " version" + (versionsBehind == 1 ? "" : "s")
          + " behind " + latestImage + " (-" + lost + ")");
    }
    if (baseAgeDays.isPresent() && baseAgeDays.getAsLong() > OLD_BASE_DAYS) {
      score[0] -= OLD_BASE_POINTS;
      notes.add("base of " + oldestImage + " refreshed " + baseAgeDays.getAsLong() + " days ago, over " + OLD_BASE_DAYS
          + " (-" + OLD_BASE_POINTS + ")");
    }
    return notes;
  }
}
