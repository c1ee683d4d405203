package dev.herd.image.layer;

import dev.herd.image.oci.ImageException;

/** A tree or entry list that cannot be written as a layer (device node, duplicate path...). */
public class LayerException extends ImageException {
  public LayerException(String message) {
    super(message);
  }

  public LayerException(String message, Throwable cause) {
    super(message, cause);
  }
}
