package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.control.state.EventKind;
import dev.herd.image.catalog.Catalog;
import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.catalog.ImageRef;
import dev.herd.image.catalog.Lineage;
import dev.herd.image.oci.Digest;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Revocation acts on running fleets: the fake engine runs them, a real catalog holds the images. */
class ImageRevocationTest {
  @TempDir Path dir;
  Sim sim;
  Catalog catalog;

  @BeforeEach
  void open() {
    sim = new Sim(dir.resolve("sim"));
    sim.open();
    catalog = Catalog.open(dir.resolve("catalog.db"));
    for (String digest : List.of(Sim.V1, Sim.V2)) {
      catalog.register("web", Digest.parse(digest), 100, new Lineage("sha256:spec", "", ""));
    }
  }

  @AfterEach
  void close() {
    catalog.close();
    sim.close();
  }

  private Spec run(String fleetExtra, String image) {
    String yaml = Specs.fleet(2, Specs.rolling(1, 0), fleetExtra);
    sim.apply(yaml, image);
    sim.runUntil(Duration.ofSeconds(30), s -> s.settledOn("web:v1", 2));
    return SpecLoader.load(Path.of("/tmp/herd-test/herd.yaml"), yaml.getBytes(StandardCharsets.UTF_8)).orThrow();
  }

  @Test
  void aFleetOnLatestRollsToTheNewestImageLeftThroughItsStrategy() {
    Spec spec = run("", Sim.V2);

    List<ImageRevocation.Decision> d = ImageRevocation.revoke(sim.controller, catalog, spec, ImageRef.parse("web:2"), "CVE-2026-1", false);

    assertThat(d).singleElement().satisfies(x -> assertThat(x.replacement().map(CatalogImage::ref)).contains("web:1"));
    assertThat(catalog.find(ImageRef.parse("web:2")).revoked()).isTrue();
    // a new release of the fleet on web:1's digest, rolled out node by node like any release
    assertThat(sim.events(EventKind.ROLLOUT_STARTED)).last().satisfies(e -> assertThat(e.reason()).contains("web:v1 → web:v2"));
    sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v2", 2));
    assertThat(sim.controller.releases("web")).filteredOn(r -> r.id().equals("web:v2"))
        .singleElement().satisfies(r -> assertThat(r.image()).isEqualTo(Sim.V1));
    assertThat(sim.events(EventKind.IMAGE_REVOKED)).singleElement().satisfies(e -> {
      assertThat(e.fleet()).isEqualTo("web");
      assertThat(e.reason()).isEqualTo("web:2 revoked (CVE-2026-1): rolling to web:1, the newest image its selector (latest) allows");
    });
  }

  @Test
  void aPinnedFleetWithNothingLeftRefusesAndChangesNothing() {
    Spec spec = run("image: version:2", Sim.V2);

    assertThatThrownBy(() -> ImageRevocation.revoke(sim.controller, catalog, spec, ImageRef.parse("web:2"), "bad", false))
        .isInstanceOf(ImageRevocation.Stranded.class)
        .hasMessageContaining("web:2 is in use by fleet web (image: version:2)")
        .hasMessageContaining("nothing was revoked");
    assertThat(catalog.find(ImageRef.parse("web:2")).revoked()).isFalse();
    assertThat(sim.events(EventKind.IMAGE_REVOKED)).isEmpty();
    assertThat(sim.controller.releases("web")).hasSize(1);
  }

  @Test
  void forcedTheFleetHoldsWithAnEventSayingWhy() {
    Spec spec = run("image: version:2", Sim.V2);

    ImageRevocation.revoke(sim.controller, catalog, spec, ImageRef.parse("web:2"), "bad", true);

    assertThat(catalog.find(ImageRef.parse("web:2")).revoked()).isTrue();
    assertThat(sim.events(EventKind.IMAGE_REVOKED)).singleElement()
        .satisfies(e -> assertThat(e.reason()).contains("web:2 revoked (bad) with --force: holding on it",
            "image: version:2"));
    assertThat(sim.controller.releases("web")).hasSize(1);
    sim.tick(Duration.ofSeconds(5));
    assertThat(sim.settledOn("web:v1", 2)).isTrue();
  }

  @Test
  void anImageNoFleetRunsIsJustRevoked() {
    Spec spec = run("", Sim.V2);
    List<ImageRevocation.Decision> d = ImageRevocation.revoke(sim.controller, catalog, spec, ImageRef.parse("web:1"), "old", false);
    assertThat(d).isEmpty();
    assertThat(sim.controller.releases("web")).hasSize(1);
  }

  @Test
  void replacementFollowsTheSelector() {
    catalog.register("web", Digest.parse(Sim.V3), 100, new Lineage("sha256:spec", "", ""));
    catalog.promote(ImageRef.parse("web:2"), "prod");
    catalog.promote(ImageRef.parse("web:1"), "old");
    catalog.revoke(ImageRef.parse("web:1"), "earlier");
    List<CatalogImage> images = catalog.list("web");
    Map<String, Integer> channels = catalog.channels("web");
    CatalogImage web3 = catalog.find(ImageRef.parse("web:3"));
    CatalogImage web2 = catalog.find(ImageRef.parse("web:2"));
    record Case(dev.herd.spec.ImageRef selector, CatalogImage revoked, Optional<String> expected) {}
    List<Case> cases = List.of(
        new Case(new dev.herd.spec.ImageRef.Latest(), web3, Optional.of("web:2")),
        // web:1 is revoked too: nothing older is allowed
        new Case(new dev.herd.spec.ImageRef.Latest(), web2, Optional.of("web:3")),
        new Case(new dev.herd.spec.ImageRef.Channel("prod"), web2, Optional.empty()),
        new Case(new dev.herd.spec.ImageRef.Channel("prod"), web3, Optional.of("web:2")),
        new Case(new dev.herd.spec.ImageRef.Channel("old"), web3, Optional.empty()),
        new Case(new dev.herd.spec.ImageRef.Channel("missing"), web3, Optional.empty()),
        new Case(new dev.herd.spec.ImageRef.Version(3), web3, Optional.empty()),
        new Case(new dev.herd.spec.ImageRef.Version(2), web3, Optional.of("web:2")),
        new Case(new dev.herd.spec.ImageRef.Digest(Sim.V2), web3, Optional.of("web:2")),
        new Case(new dev.herd.spec.ImageRef.Digest(Sim.V3), web3, Optional.empty()));
    for (Case c : cases) {
      assertThat(ImageRevocation.replacement(c.selector(), c.revoked(), images, channels).map(CatalogImage::ref))
          .as(c.selector() + " when " + c.revoked().ref() + " is revoked").isEqualTo(c.expected());
    }
  }
}
