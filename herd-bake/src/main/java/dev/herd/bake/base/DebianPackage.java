package dev.herd.bake.base;

import java.util.Comparator;
import java.util.Objects;

/** One Debian binary package as resolved from a mirror or installed in a root filesystem. */
public record DebianPackage(String name, String version, String architecture) implements Comparable<DebianPackage> {
  private static final Comparator<DebianPackage> ORDER =
      Comparator.comparing(DebianPackage::name).thenComparing(DebianPackage::architecture).thenComparing(DebianPackage::version);

  public DebianPackage {
    requireToken(name, "name");
    requireToken(version, "version");
    requireToken(architecture, "architecture");
  }

  private static void requireToken(String value, String what) {
    Objects.requireNonNull(value, what);
    if (value.isBlank() || value.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("package " + what + " must be a non-empty word, got '" + value + "'");
    }
  }

  @Override
  public int compareTo(DebianPackage other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return name + ":" + architecture + "=" + version;
  }
}
