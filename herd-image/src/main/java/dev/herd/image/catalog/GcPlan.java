package dev.herd.image.catalog;

import java.util.List;
import java.util.Map;

/**
 * What gc keeps and removes, per image, and why each kept image stays ("newest 3", "channel prod",
 * "in use").
 */
public record GcPlan(Map<CatalogImage, String> keep, List<CatalogImage> remove) {
  public GcPlan {
    keep = Map.copyOf(keep);
    remove = List.copyOf(remove);
  }
}
