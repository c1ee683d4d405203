package dev.herd.image.archive;

/**
 * Upper bounds for an imported image, so an absurd or hostile archive fails with a clear message
 * instead of filling the disk: entries over all layers, uncompressed bytes over all layers, and
 * the number of layers.
 */
public record ImportLimits(long maxEntries, long maxBytes, int maxLayers) {
  /** Far above any real base image (Debian with a desktop is ~200k entries, a few GiB). */
  public static final ImportLimits DEFAULT = new ImportLimits(2_000_000, 32L << 30, 256);

  public ImportLimits {
    if (maxEntries < 1 || maxBytes < 1 || maxLayers < 1) {
      throw new IllegalArgumentException("import limits must be positive");
    }
  }
}
