package dev.herd.bake.tree;

import java.util.List;
import java.util.Optional;

/**
 * The operations herd's resources need on an image tree. Every method takes an already
 * resolved {@link ImagePath} (see {@link #resolve}), so no method ever follows a symlink on its
 * own: confinement is decided once, in {@link PathResolver}.
 *
 * <p>Two implementations: {@link ImageRoot} writes to a staging directory; {@link
 * SimulatedTree} records writes in memory over an {@code ImageRoot} for check mode.
 */
public sealed interface StagingTree permits ImageRoot, SimulatedTree {

  /** The entry at {@code path} without following a final symlink; empty when absent. */
  Optional<Node> lstat(ImagePath path);

  /** The raw target of the symlink at {@code path}. */
  String readLink(ImagePath path);

  /** The content of the regular file at {@code path}, at most {@code maxBytes}. */
  byte[] read(ImagePath path, int maxBytes);

  /** Names in the directory at {@code path}, sorted. */
  List<String> list(ImagePath path);

  /** Replaces whatever regular file is at {@code path} (never writes through an existing inode). */
  void writeFile(ImagePath path, byte[] content, int diskMode);

  void createDirectory(ImagePath path, int diskMode);

  void setDiskMode(ImagePath path, int diskMode);

  void createSymlink(ImagePath path, String target);

  /** Removes {@code path} and, for a directory, everything below it; never follows symlinks. */
  void remove(ImagePath path);

  /** Resolves a user-supplied image path, confined to this tree. */
  default ImagePath resolve(String imagePath, PathResolver.Follow follow, Origin origin) {
    return new PathResolver(this).resolve(imagePath, follow, origin);
  }

  /** Reads a whole small file (account databases, dpkg status); empty when absent. */
  default Optional<byte[]> readIfFile(ImagePath path, int maxBytes) {
    return lstat(path).filter(Node::isFile).map(n -> read(path, maxBytes));
  }
}
