package dev.herd.control.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.catalog.Lineage;
import dev.herd.image.catalog.Revocation;
import dev.herd.image.oci.Digest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ImageConsistencyTest {
  static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

  /** web:1..web:n, one day apart, ending yesterday; {@code bases[i]} is version i+1's base key. */
  static List<CatalogImage> catalog(String... bases) {
    List<CatalogImage> out = new ArrayList<>();
    for (int v = 1; v <= bases.length; v++) {
      out.add(image(v, bases[v - 1], false));
    }
    return out;
  }

  static CatalogImage image(int v, String base, boolean revoked) {
    return new CatalogImage("web", v, digest(v), NOW.minus(Duration.ofDays(50 - v)), 1, new Lineage("sha256:spec", "", base),
        List.of(), revoked ? Optional.of(new Revocation("cve", NOW)) : Optional.empty());
  }

  static Digest digest(int v) {
    return Digest.parse("sha256:" + Integer.toString(v).repeat(64).substring(0, 64));
  }

  static Stream<Arguments> cases() {
    List<CatalogImage> withRevoked = catalog("b1", "b1", "b2");
    withRevoked.add(image(4, "b3", true));
    return Stream.of(
        Arguments.of("every node on the latest", catalog("b1", "b2"), List.of(2, 2),
            "oldest image web:2, the latest, base refreshed 48 days ago", 100 - 10),
        Arguments.of("one node two versions behind, base shared since web:1", catalog("b1", "b1", "b2"), List.of(3, 2, 1),
            "oldest image web:1, 2 versions behind web:3, base refreshed 49 days ago", 100 - 10 - 10),
        Arguments.of("the base age counts from the first image with that base", catalog("b1", "b2", "b2", "b2"), List.of(4),
            "oldest image web:4, the latest, base refreshed 48 days ago", 100 - 10),
        Arguments.of("a revoked newer version is not one to be behind", withRevoked, List.of(3),
            "oldest image web:3, the latest, base refreshed 47 days ago", 100 - 10),
        Arguments.of("four behind loses at most 15", catalog("scratch", "scratch", "scratch", "scratch", "scratch"), List.of(1),
            "oldest image web:1, 4 versions behind web:5", 100 - 15),
        Arguments.of("one version behind loses 5", catalog("b1", "b2"), List.of(1),
            "oldest image web:1, 1 version behind web:2, base refreshed 49 days ago", 100 - 5 - 10));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("cases")
  void oldestImageVersionsBehindAndBaseAge(String name, List<CatalogImage> catalog, List<Integer> running, String summary,
      int points) {
    ImageConsistency c = ImageConsistency.of("web", running.stream().map(v -> digest(v).toString()).toList(), catalog, NOW)
        .orElseThrow();
    assertThat(c.summary()).isEqualTo(summary);
    int[] score = {100};
    c.lostPoints(score);
    assertThat(score[0]).isEqualTo(points);
  }

  @org.junit.jupiter.api.Test
  void aBaseRefreshedRecentlyLosesNoPoints() {
    List<CatalogImage> fresh = List.of(new CatalogImage("web", 1, digest(1), NOW.minus(Duration.ofDays(3)), 1,
        new Lineage("sha256:spec", "", "b9"), List.of(), Optional.empty()));
    ImageConsistency c = ImageConsistency.of("web", List.of(digest(1).toString()), fresh, NOW).orElseThrow();
    int[] score = {100};
    assertThat(c.lostPoints(score)).isEmpty();
    assertThat(score[0]).isEqualTo(100);
    assertThat(c.summary()).isEqualTo("oldest image web:1, the latest, base refreshed 3 days ago");
  }

  @org.junit.jupiter.api.Test
  void imagesTheCatalogDoesNotKnowGiveNoView() {
    assertThat(ImageConsistency.of("web", List.of(digest(7).toString()), catalog("b1"), NOW)).isEmpty();
  }
}
