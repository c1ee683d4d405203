package dev.herd.bake;

import dev.herd.image.catalog.CatalogImage;
import java.util.List;

/**
 * What a bake produced. {@code minted} is false when the bake gave a digest the role already
 * had (a no-op rebake): the existing version is returned and no new one is made.
 *
 * @param layersReused how many of the image's layers came from the layer cache
 */
public record BakeResult(CatalogImage image, boolean minted, int layers, int layersReused, List<String> changes) {
  public BakeResult {
    changes = List.copyOf(changes);
  }

  /** The one line scripts rely on: {@code web:4 sha256:…}. */
  public String line() {
    return image.ref() + " " + image.digest();
  }
}
