package dev.herd.image.archive;

import dev.herd.image.oci.ImageException;

/** An archive herd refuses to unpack; the message names the archive, the layer and the entry. */
public class UnsafeArchiveException extends ImageException {
  public UnsafeArchiveException(String message) {
    super(message);
  }
}
