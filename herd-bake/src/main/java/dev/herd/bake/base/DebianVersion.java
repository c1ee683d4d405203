package dev.herd.bake.base;

import java.util.Objects;

/**
 * A Debian package version, {@code [epoch:]upstream[-revision]}, ordered by Debian policy 5.6.12
 * (what {@code dpkg --compare-versions} does): epochs numerically, then upstream and revision
 * each as alternating non-digit and digit runs, where letters sort before non-letters and
 * {@code ~} sorts before everything, even the end of the string ({@code 1.0~rc1 < 1.0}).
 */
public record DebianVersion(long epoch, String upstream, String revision) implements Comparable<DebianVersion> {
  public DebianVersion {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    }
    Objects.requireNonNull(revision, "revision");
    if (upstream == null || upstream.isEmpty() || !Character.isDigit(upstream.charAt(0))) {
      throw new IllegalArgumentException("upstream version must start with a digit, got '" + upstream + "'");
    }
    for (String part : new String[] {upstream, revision}) {
      for (int i = 0; i < part.length(); i++) {
        char c = part.charAt(i);
        if (!(Character.isLetterOrDigit(c) && c < 128) && ".+~-:".indexOf(c) < 0) {
          throw new IllegalArgumentException("'" + c + "' is not allowed in a Debian version");
        }
      }
    }
  }

  /** Parses a version as written in a Packages index, dpkg status or SBOM. */
  public static DebianVersion parse(String text) {
    Objects.requireNonNull(text, "version");
    String v = text.strip();
    if (v.isEmpty()) {
      throw new IllegalArgumentException("empty Debian version");
    }
    long epoch = 0;
    int colon = v.indexOf(':');
    if (colon >= 0) {
      String e = v.substring(0, colon);
      if (e.isEmpty() || !e.chars().allMatch(Character::isDigit) || e.length() > 9) {
        throw new IllegalArgumentException("'" + text + "' has an epoch that is not a number");
      }
      epoch = Long.parseLong(e);
      v = v.substring(colon + 1);
    }
    // the revision is after the last hyphen; the upstream part may contain hyphens only then
    int dash = v.lastIndexOf('-');
    String upstream = dash < 0 ? v : v.substring(0, dash);
    String revision = dash < 0 ? "" : v.substring(dash + 1);
    if (dash >= 0 && revision.isEmpty()) {
      throw new IllegalArgumentException("'" + text + "' ends with a hyphen (empty revision)");
    }
    if (upstream.indexOf(':') >= 0 || revision.indexOf(':') >= 0 || revision.indexOf('-') >= 0) {
      throw new IllegalArgumentException("'" + text + "' is not a Debian version");
    }
    try {
      return new DebianVersion(epoch, upstream, revision);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not a Debian version: " + e.getMessage(), e);
    }
  }

  /** Compares two version strings; both must parse. */
  public static int compare(String a, String b) {
    return parse(a).compareTo(parse(b));
  }

  @Override
  public int compareTo(DebianVersion other) {
    int c = Long.compare(epoch, other.epoch);
    if (c != 0) {
      return c;
    }
    c = comparePart(upstream, other.upstream);
    return c != 0 ? c : comparePart(revision, other.revision);
  }

  private static int comparePart(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() || j < b.length()) {
      // non-digit run, character by character with dpkg's order
      while ((i < a.length() && !Character.isDigit(a.charAt(i))) || (j < b.length() && !Character.isDigit(b.charAt(j)))) {
        int ca = i < a.length() && !Character.isDigit(a.charAt(i)) ? order(a.charAt(i)) : 0;
        int cb = j < b.length() && !Character.isDigit(b.charAt(j)) ? order(b.charAt(j)) : 0;
        if (ca != cb) {
          return Integer.compare(ca, cb);
        }
        if (i < a.length() && !Character.isDigit(a.charAt(i))) {
          i++;
        }
        if (j < b.length() && !Character.isDigit(b.charAt(j))) {
          j++;
        }
      }
      // digit run, numerically (leading zeros ignored, any length)
      while (i < a.length() && a.charAt(i) == '0') {
        i++;
      }
      while (j < b.length() && b.charAt(j) == '0') {
        j++;
      }
      int si = i;
      int sj = j;
      while (i < a.length() && Character.isDigit(a.charAt(i))) {
        i++;
      }
      while (j < b.length() && Character.isDigit(b.charAt(j))) {
        j++;
      }
      int la = i - si;
      int lb = j - sj;
      if (la != lb) {
        return Integer.compare(la, lb);
      }
      int c = a.substring(si, i).compareTo(b.substring(sj, j));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /** dpkg's weight of a non-digit: ~ lowest, then end of string (0), letters, then the rest. */
  private static int order(char c) {
    if (c == '~') {
      return -1;
    }
    if (Character.isLetter(c)) {
      return c;
    }
    return c + 256;
  }

  @Override
  public String toString() {
    return (epoch > 0 ? epoch + ":" : "") + upstream + (revision.isEmpty() ? "" : "-" + revision);
  }
}
