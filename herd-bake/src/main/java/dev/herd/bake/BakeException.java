package dev.herd.bake;

/** A bake that failed for a reason the user can act on; the message says what and where. */
public class BakeException extends RuntimeException {
  public BakeException(String message) {
    super(message);
  }

  public BakeException(String message, Throwable cause) {
    super(message, cause);
  }
}
