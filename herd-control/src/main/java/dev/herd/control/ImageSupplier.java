package dev.herd.control;

import dev.herd.engine.ImageSource;
import dev.herd.engine.NodeSpec;

/**
 * Gives the engine an image by digest (the server backs it with herd's image store). Asked only
 * once per digest per controller run; the engine skips the transfer when it has the image.
 */
@FunctionalInterface
public interface ImageSupplier {
  /** The image as an archive source; throws {@link java.util.NoSuchElementException} when unknown. */
  ImageSource source(String digest);

  /**
   * The uid/gid the image's user runs as (its config's {@code User} resolved in its own
   * /etc/passwd and /etc/group); the node's secrets and /etc/herd files are given to it.
   * Root when the supplier cannot tell.
   */
  default NodeSpec.RunAs user(String digest) {
    return NodeSpec.RunAs.ROOT;
  }
}
