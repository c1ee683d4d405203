package dev.herd.bake.tree;

/** Octal file modes as written in herd.yaml ("0644", "644", "1777"). */
public final class Modes {
  private Modes() {}

  /** Parses an octal mode; empty or null gives {@code dflt}. */
  public static int parse(String mode, int dflt, Origin origin) {
    if (mode == null || mode.isBlank()) {
      return dflt;
    }
    String m = mode.strip();
    if (!m.matches("0?[0-7]{3,4}") || m.length() > 5) {
      throw new TreeException(origin, "mode \"" + mode + "\" is not an octal mode like 0644");
    }
    int value = Integer.parseInt(m, 8);
    if (value > 07777) {
      throw new TreeException(origin, "mode \"" + mode + "\" is out of range (max 07777)");
    }
    return value;
  }

  /** "0644", "1777". */
  public static String format(int mode) {
    return String.format("%04o", mode);
  }

  /** "rw-r--r--" for the nine permission bits. */
  static String rwx(int mode) {
    StringBuilder sb = new StringBuilder(9);
    String letters = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) {
      sb.append((mode & (1 << (8 - i))) != 0 ? letters.charAt(i) : '-');
    }
    return sb.toString();
  }

  /**
   * The permission bits the staging directory gets: the declared bits plus owner read/write
   * (and search for directories), because herd itself must keep reading, rewriting and removing
   * the tree. The declared mode is authoritative in {@link TreeMetadata}.
   */
  static int diskMode(int declared, boolean directory) {
    return (declared & 0777) | (directory ? 0700 : 0600);
  }
}
