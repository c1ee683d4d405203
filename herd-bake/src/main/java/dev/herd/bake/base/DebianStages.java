package dev.herd.bake.base;

import java.util.Set;

/**
 * The two Debian stages of a role: {@code base} (base.debian.packages) and {@code packages}
 * (the same plus the role's packages), each a complete tree; the pipeline diffs them into a
 * layer. When the role adds no packages both are the same tree.
 *
 * @param lock the lock entry for this role as of this bake
 * @param lockChanged whether {@code lock} differs from what herd.lock held (write it back)
 * @param security resolved packages a security archive offers (see {@link Resolution#security()})
 */
public record DebianStages(BuiltBase base, BuiltBase packages, RoleLock lock, boolean lockChanged, Set<DebianPackage> security) {
  public DebianStages {
    security = Set.copyOf(security);
  }
}
