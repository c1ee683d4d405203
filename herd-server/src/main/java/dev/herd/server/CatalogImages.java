package dev.herd.server;

import dev.herd.image.catalog.Catalog;
import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.catalog.ImageRef;
import dev.herd.image.oci.ImageException;
import dev.herd.image.oci.ImageStore;
import dev.herd.spec.Fleet;
import dev.herd.spec.Spec;
import java.util.Map;
import java.util.TreeMap;

/**
 * Role images from the image catalog, without baking: each fleet's {@code image:} (latest,
 * channel, version or digest) resolved to an image already baked. Used until the bake pipeline
 * is wired into apply; then the baker bakes what changed and this resolution follows it.
 */
public final class CatalogImages implements RoleImages {
  private final Catalog catalog;
  private final ImageStore store;

  public CatalogImages(Catalog catalog, ImageStore store) {
    this.catalog = catalog;
    this.store = store;
  }

  @Override
  public java.util.Optional<Catalog> catalog() {
    return java.util.Optional.of(catalog);
  }

  @Override
  public java.util.Optional<byte[]> sbom(dev.herd.image.oci.Digest manifest) {
    return catalog.sbom(manifest).filter(store::hasBlob).map(store::readBlob);
  }

  @Override
  public Map<String, String> imagesFor(Spec spec) {
    Map<String, String> byRole = new TreeMap<>();
    Map<String, String> fleetOfRole = new TreeMap<>();
    for (Fleet f : spec.fleets().values()) {
      CatalogImage image;
      try {
        image = catalog.resolve(ImageRef.parse(f.role() + ":" + f.image()));
      } catch (ImageException e) {
        throw new Unavailable("fleet " + f.name() + " runs role " + f.role() + " image " + f.image() + ": "
            + e.getMessage() + " (bake the role first: herd bake)", e);
      }
      if (!store.hasBlob(image.digest())) {
        throw new Unavailable("image " + image.ref() + " (" + image.digest() + ") is in the catalog but not in the image store "
            + store.root() + "; bake the role again");
      }
      String digest = image.digest().toString();
      String other = byRole.putIfAbsent(f.role(), digest);
      if (other != null && !other.equals(digest)) {
        throw new Unavailable("fleets " + fleetOfRole.get(f.role()) + " and " + f.name() + " run role " + f.role()
            + " pinned to different images; one image per role is supported for now");
      }
      fleetOfRole.putIfAbsent(f.role(), f.name());
    }
    return byRole;
  }
}
