package dev.herd.bake;

import dev.herd.common.Refusal;

/** A bake that failed for a reason the user can act on; the message says what and where. */
public class BakeException extends RuntimeException implements Refusal {
  public BakeException(String message) {
    super(message);
  }

  public BakeException(String message, Throwable cause) {
    super(message, cause);
  }
}
