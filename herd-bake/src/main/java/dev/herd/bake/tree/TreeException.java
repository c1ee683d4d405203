package dev.herd.bake.tree;

import dev.herd.common.Refusal;

/**
 * A resource cannot be applied (path escapes the image, unknown owner, bad mode, ...). The
 * message starts with the spec location and key path of the resource.
 */
public class TreeException extends RuntimeException implements Refusal {
  private final transient Origin origin;
  private final String detail;

  public TreeException(Origin origin, String detail) {
    super(origin + ": " + detail);
    this.origin = origin;
    this.detail = detail;
  }

  public TreeException(Origin origin, String detail, Throwable cause) {
    super(origin + ": " + detail, cause);
    this.origin = origin;
    this.detail = detail;
  }

  public Origin origin() {
    return origin;
  }

  /** The message without the location prefix. */
  public String detail() {
    return detail;
  }
}
