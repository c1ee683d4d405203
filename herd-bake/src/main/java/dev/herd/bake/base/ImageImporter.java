package dev.herd.bake.base;

import dev.herd.spec.Base;
import java.nio.file.Path;

/**
 * Unpacks an existing image (OCI layout, OCI archive, docker archive) into a directory. herd-image
 * implements it with its safe import (path traversal, device nodes and link escapes refused);
 * the bake pipeline passes that implementation to {@link Bases}.
 */
@FunctionalInterface
public interface ImageImporter {
  /**
   * @param source the image's {@code path} resolved against herd.yaml's directory (never the
   *     working directory of the process that bakes)
   * @param rootfs an empty directory to unpack the image's layers into
   * @return the digest of the imported image's manifest, which names the base in the lineage
   */
  String unpack(Base.Image image, Path source, Path rootfs);
}
