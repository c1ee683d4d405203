package dev.herd.server;

import dev.herd.spec.Spec;
import java.util.Map;

/**
 * Where apply gets images: makes sure every role the spec's fleets run has one (baking the roles
 * whose inputs changed, once a bake pipeline is wired in) and returns role → manifest digest.
 */
@FunctionalInterface
public interface RoleImages {
  /** Throws {@link Unavailable} saying which role has no usable image and what to do. */
  Map<String, String> imagesFor(Spec spec);

  /** The catalog the images come from, when there is one (revocation acts on it). */
  default java.util.Optional<dev.herd.image.catalog.Catalog> catalog() {
    return java.util.Optional.empty();
  }

  /** The CycloneDX SBOM stored beside an image, when there is one (the dashboard lists its packages). */
  default java.util.Optional<byte[]> sbom(dev.herd.image.oci.Digest manifest) {
    return java.util.Optional.empty();
  }

  /** What bakes a role on request ({@code POST /v1/bake}); empty when this controller does not bake (up --no-bake). */
  default java.util.Optional<Bakery> bakery() {
    return java.util.Optional.empty();
  }

  /** Bakes one role of a spec now, telling {@code listener} how it goes. */
  interface Bakery {
    dev.herd.bake.BakeResult bake(Spec spec, String role, boolean locked, dev.herd.bake.BakeListener listener);
  }

  /** No image for a role: the message is shown to the operator as it is. */
  final class Unavailable extends RuntimeException {
    public Unavailable(String message) {
      super(message);
    }

    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
