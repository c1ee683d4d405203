package dev.herd.engine;

/**
 * The result of {@link Engine#ensureImage}.
 *
 * @param engineRef the name the engine knows the image by ({@code herd.local/image:sha256-<hex>})
 * @param transferred true when the archive was sent, false when the engine already had it
 */
public record EnsuredImage(String digest, String engineRef, boolean transferred) {
  public static final String REPOSITORY = "herd.local/image";

  public EnsuredImage {
    Names.digest("image digest", digest);
  }

  /** The local tag that marks an image herd loaded for a manifest digest. */
  public static String refFor(String digest) {
    Names.digest("image digest", digest);
    return REPOSITORY + ":sha256-" + digest.substring(7);
  }
}
