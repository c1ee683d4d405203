package dev.herd.bake.base;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A root filesystem ready to stage on. The tree belongs to the cache: copy it (or diff against
 * it), never modify it in place.
 *
 * @param key the cache key (hash of recipe, resolved versions and epoch)
 * @param packages what the tree's dpkg database lists, sorted
 * @param epoch the SOURCE_DATE_EPOCH the tree was built with; no mtime in it is later
 * @param cacheHit whether the tree came from the cache rather than a build just now
 */
public record BuiltBase(String key, Path rootfs, List<DebianPackage> packages, Instant epoch, boolean cacheHit) {
  public BuiltBase {
    packages = List.copyOf(packages);
  }
}
