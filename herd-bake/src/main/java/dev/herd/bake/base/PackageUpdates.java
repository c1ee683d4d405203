package dev.herd.bake.base;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Which installed packages a mirror now offers newer versions of: the heart of {@code herd outdated}. */
public final class PackageUpdates {
  private PackageUpdates() {}

  /** One package with a newer version available; {@code security} when a security archive offers it. */
  public record Update(String name, String installed, String available, boolean security) {
    public Update {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(installed, "installed");
      Objects.requireNonNull(available, "available");
    }

    /** {@code openssl 3.0.15-1~deb12u1 → 3.0.16-1~deb12u1 (security)} */
    @Override
    public String toString() {
      return name + " " + installed + " → " + available + (security ? " (security)" : "");
    }
  }

  /**
   * @param installed package name → version in the image (from its SBOM)
   * @param candidates what a bake would install now
   * @return the installed packages whose candidate is newer by Debian's ordering, in candidate order.
   *     A package the image has and the bake would no longer install is not an update; a
   *     package the image lacks is not either (it is a spec change, not staleness).
   */
  public static List<Update> between(Map<String, String> installed, List<PackageResolver.Candidate> candidates) {
    List<Update> out = new ArrayList<>();
    for (PackageResolver.Candidate c : candidates) {
      String have = installed.get(c.pkg().name());
      if (have != null && DebianVersion.compare(c.pkg().version(), have) > 0) {
        out.add(new Update(c.pkg().name(), have, c.pkg().version(), c.security()));
      }
    }
    return out;
  }
}
