package dev.herd.control;

import dev.herd.engine.ImageSource;

/**
 * Gives the engine an image by digest (the server backs it with herd's image store). Asked only
 * once per digest per controller run; the engine skips the transfer when it has the image.
 */
@FunctionalInterface
public interface ImageSupplier {
  /** The image as an archive source; throws {@link java.util.NoSuchElementException} when unknown. */
  ImageSource source(String digest);
}
