package dev.herd.image.oci;

import dev.herd.common.Refusal;

/**
 * A failure in the image store, catalog, layer writer or importer that the user can act on. The
 * message names what and where (blob digest, archive entry, role:version); callers show it as is.
 */
public class ImageException extends RuntimeException implements Refusal {
  public ImageException(String message) {
    super(message);
  }

  public ImageException(String message, Throwable cause) {
    super(message, cause);
  }
}
