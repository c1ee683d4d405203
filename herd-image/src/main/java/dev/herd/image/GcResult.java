package dev.herd.image;

import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.oci.Digest;
import java.util.List;
import java.util.Map;

/**
 * What gc did (or, with dry-run, would do): images removed from the catalog, images kept and why,
 * blobs deleted and the bytes freed, and unreferenced blobs kept because they are younger than
 * the grace period (a bake may be writing them).
 */
public record GcResult(
    List<CatalogImage> removed,
    Map<CatalogImage, String> kept,
    List<Digest> deletedBlobs,
    long bytesFreed,
    int youngBlobsKept,
    boolean dryRun) {
  public GcResult {
    removed = List.copyOf(removed);
    kept = Map.copyOf(kept);
    deletedBlobs = List.copyOf(deletedBlobs);
  }
}
