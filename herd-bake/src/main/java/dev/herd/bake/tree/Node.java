package dev.herd.bake.tree;

/** What {@code lstat} reports for one entry of a tree (symlinks are not followed). */
public record Node(Type type, int mode, long size) {
  public enum Type {
    FILE,
    DIRECTORY,
    SYMLINK,
    /** Devices, fifos, sockets: herd never writes them but must not treat them as files. */
    OTHER
  }

  public Node {
    if (mode < 0 || mode > 07777) {
      throw new IllegalArgumentException("mode out of range: " + Integer.toOctalString(mode));
    }
  }

  public boolean isDirectory() {
    return type == Type.DIRECTORY;
  }

  public boolean isFile() {
    return type == Type.FILE;
  }

  public boolean isSymlink() {
    return type == Type.SYMLINK;
  }
}
