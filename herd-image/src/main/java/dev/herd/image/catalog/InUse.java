package dev.herd.image.catalog;

/** Tells gc which images are still needed (the controller answers from its releases). */
@FunctionalInterface
public interface InUse {
  InUse NOTHING = image -> false;

  boolean isInUse(CatalogImage image);
}
