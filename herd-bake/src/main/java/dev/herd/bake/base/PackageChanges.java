package dev.herd.bake.base;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Package version changes between two images (their SBOMs): what {@code herd image diff} lists. */
public final class PackageChanges {
  private PackageChanges() {}

  /** What happened to one package between the two images. */
  public enum Kind { ADDED, REMOVED, UPGRADED, DOWNGRADED }

  /**
   * One package whose presence or version differs.
   *
   * @param security the newer image took this version from a security archive (known when its
   *     SBOM records it)
   */
  public record Change(String name, Optional<String> from, Optional<String> to, Kind kind, boolean security) {
    public Change {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(kind, "kind");
      if (from.isEmpty() && to.isEmpty()) {
        throw new IllegalArgumentException("package " + name + " changes from nothing to nothing");
      }
    }

    /** {@code + nginx=1.22}, {@code - curl=7.88}, {@code ~ openssl: 3.0.15-1 → 3.0.16-1 (security)}. */
    public String line() {
      return switch (kind) {
        case ADDED -> "+ package " + name + "=" + to.orElseThrow() + (security ? " (security)" : "");
        case REMOVED -> "- package " + name + "=" + from.orElseThrow();
        case UPGRADED, DOWNGRADED -> "~ package " + name + ": " + from.orElseThrow() + " → " + to.orElseThrow()
            + (kind == Kind.DOWNGRADED ? " (downgrade)" : "") + (security ? " (security)" : "");
      };
    }
  }

  /**
   * @param from package name → version in the older image
   * @param to package name → version in the newer image
   * @param securityInTo names whose version in {@code to} came from a security archive
   * @return changes sorted by name; equal versions by Debian's ordering ({@code 0:1.0} and
   *     {@code 1.0}) are no change
   */
  public static List<Change> between(Map<String, String> from, Map<String, String> to, Set<String> securityInTo) {
    Set<String> names = new TreeSet<>(from.keySet());
    names.addAll(to.keySet());
    List<Change> out = new ArrayList<>();
    for (String name : names) {
      String a = from.get(name);
      String b = to.get(name);
      boolean security = b != null && securityInTo.contains(name);
      if (a == null) {
        out.add(new Change(name, Optional.empty(), Optional.of(b), Kind.ADDED, security));
      } else if (b == null) {
        out.add(new Change(name, Optional.of(a), Optional.empty(), Kind.REMOVED, false));
      } else {
        int c = order(a, b);
        if (c != 0) {
          out.add(new Change(name, Optional.of(a), Optional.of(b), c < 0 ? Kind.UPGRADED : Kind.DOWNGRADED, security));
        }
      }
    }
    return out;
  }

  /** Debian's ordering; a version that does not parse (not from dpkg) compares as text. */
  private static int order(String a, String b) {
    try {
      return DebianVersion.compare(a, b);
    } catch (IllegalArgumentException e) {
      return a.compareTo(b);
    }
  }
}
