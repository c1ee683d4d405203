package dev.herd.control;

import dev.herd.common.Refusal;
import dev.herd.control.state.EventKind;
import dev.herd.control.state.ReleaseSpec;
import dev.herd.image.catalog.Catalog;
import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.catalog.ImageRef;
import dev.herd.spec.Fleet;
import dev.herd.spec.Spec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Revocation that acts: every fleet running the revoked image gets a new release on the newest
 * non-revoked image its selector allows, rolled out with the fleet's own strategy (canary,
 * health gates, auto-rollback). A fleet whose selector allows no other image makes the revocation
 * a refusal, unless forced: then the fleet holds on what it runs, and an event says why.
 */
public final class ImageRevocation {
  private ImageRevocation() {}

  /** What one fleet does about the revocation. */
  public record Decision(String fleet, Optional<CatalogImage> replacement, String event) {
    public Decision {
      Objects.requireNonNull(fleet, "fleet");
      Objects.requireNonNull(replacement, "replacement");
      Objects.requireNonNull(event, "event");
    }
  }

  /** The revocation would strand a fleet and was not forced; nothing was changed. */
  public static final class Stranded extends IllegalStateException implements Refusal {
    Stranded(String message) {
      super(message);
    }
  }

  /**
   * The image a fleet moves to when {@code revoked} goes: what its selector designates once
   * {@code revoked} no longer counts. Pure: the role's images and channels are given.
   *
   * @param channels channel name → version, of the revoked image's role
   */
  public static Optional<CatalogImage> replacement(dev.herd.spec.ImageRef selector, CatalogImage revoked, List<CatalogImage> images,
      Map<String, Integer> channels) {
    List<CatalogImage> usable = images.stream()
        .filter(i -> i.role().equals(revoked.role()) && !i.revoked() && i.version() != revoked.version()).toList();
    return switch (selector) {
      case dev.herd.spec.ImageRef.Latest l -> usable.stream().max(Comparator.comparingInt(CatalogImage::version));
      case dev.herd.spec.ImageRef.Channel c -> Optional.ofNullable(channels.get(c.name()))
          .flatMap(v -> usable.stream().filter(i -> i.version() == v).findFirst());
      case dev.herd.spec.ImageRef.Version v -> usable.stream().filter(i -> i.version() == v.number()).findFirst();
      case dev.herd.spec.ImageRef.Digest d -> usable.stream().filter(i -> i.digest().toString().equals(d.digest())).findFirst();
    };
  }

  /**
   * Revokes {@code ref} in the catalog and acts on every fleet running it: a new release on its
   * replacement (rolled out with the fleet's strategy) or, forced, a hold. One
   * {@link EventKind#IMAGE_REVOKED} event per fleet.
   *
   * @param spec herd.yaml as the controller runs it (the fleets' selectors)
   * @throws Stranded when a fleet would have no image left and {@code force} is false (nothing changed)
   */
  public static List<Decision> revoke(Controller controller, Catalog catalog, Spec spec, ImageRef ref, String reason, boolean force) {
    CatalogImage image = catalog.find(ref);
    String digest = image.digest().toString();
    List<CatalogImage> images = catalog.list(image.role());
    Map<String, Integer> channels = catalog.channels(image.role());
    List<Decision> decisions = new ArrayList<>();
    List<String> stranded = new ArrayList<>();
    for (FleetStatus f : controller.status()) {
      if (f.deleted() || !runs(controller, f, digest)) {
        continue;
      }
      Fleet fleet = spec.fleets().get(f.fleet());
      dev.herd.spec.ImageRef selector = fleet == null ? new dev.herd.spec.ImageRef.Latest() : fleet.image();
      Optional<CatalogImage> next = replacement(selector, image, images, channels);
      String why = image.ref() + " revoked (" + reason.strip() + ")";
      if (next.isPresent()) {
        decisions.add(new Decision(f.fleet(), next, why + ": rolling to " + next.get().ref() + ", the newest image its selector ("
            + selector + ") allows"));
      } else {
        stranded.add(f.fleet() + " (image: " + selector + ")");
        decisions.add(new Decision(f.fleet(), next, why + " with --force: holding on it, its selector (image: " + selector
            + ") allows no other image; promote or pin another version and apply"));
      }
    }
    if (!stranded.isEmpty() && !force) {
      throw new Stranded(image.ref() + " is in use by fleet " + String.join(", ", stranded)
          + " and no other image is allowed there; nothing was revoked (bake or promote a replacement, or revoke with --force"
          + " to hold those fleets on it)");
    }
    catalog.revoke(ref, reason);
    for (Decision d : decisions) {
      controller.note(d.fleet(), EventKind.IMAGE_REVOKED, d.event());
      d.replacement().ifPresent(next -> controller.rerelease(d.fleet(),
          s -> new ReleaseSpec(next.digest().toString(), s.configRevision(), s.secretRevisions(), s.runtime()),
          "image " + image.ref() + " revoked → " + next.ref()));
    }
    return decisions;
  }

  /** The fleet's current release is on the image, or one of its nodes still is. */
  private static boolean runs(Controller controller, FleetStatus f, String digest) {
    for (dev.herd.control.ReleaseInfo r : controller.releases(f.fleet())) {
      boolean current = r.id().equals(f.currentRelease());
      boolean onNode = f.nodes().stream().anyMatch(n -> r.id().equals(n.release()));
      if ((current || onNode) && r.image().equals(digest)) {
        return true;
      }
    }
    return false;
  }
}
