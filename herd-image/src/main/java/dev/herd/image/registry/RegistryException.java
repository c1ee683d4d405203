package dev.herd.image.registry;

import dev.herd.image.oci.ImageException;

/** A push or pull that failed for a reason the operator can act on; the message is one line. */
public final class RegistryException extends ImageException {
  public RegistryException(String message) {
    super(message);
  }
}
