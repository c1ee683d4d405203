package dev.herd.engine;

/** The engine has no image for this digest: call {@link Engine#ensureImage} first. */
public final class ImageMissing extends EngineException {
  private final String digest;

  public ImageMissing(String digest, String detail) {
    super("image " + digest + " is not on the engine" + (detail == null ? "" : ": " + detail), null);
    this.digest = digest;
  }

  public String digest() {
    return digest;
  }
}
