package dev.herd.bake.base;

import dev.herd.common.Refusal;

/** A base could not be resolved or built; the message names the spec location and the cause. */
public class BaseBuildException extends RuntimeException implements Refusal {
  public BaseBuildException(String message) {
    super(message);
  }

  public BaseBuildException(String message, Throwable cause) {
    super(message, cause);
  }
}
