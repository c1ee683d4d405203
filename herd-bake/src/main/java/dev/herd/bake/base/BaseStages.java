package dev.herd.bake.base;

import java.util.Optional;
import java.util.Set;

/**
 * A role's starting point, whatever its base kind: the base tree and the tree with the role's
 * packages (the pipeline diffs them into a layer; they are the same tree when there is nothing
 * to install).
 *
 * @param lock the role's herd.lock entry as of this bake (Debian bases only)
 * @param lockChanged whether herd.lock should be written back
 */
public record BaseStages(BuiltBase base, BuiltBase packages, Optional<RoleLock> lock, boolean lockChanged,
    Set<DebianPackage> security) {
  public BaseStages {
    security = Set.copyOf(security);
  }

  public BaseStages(BuiltBase base, BuiltBase packages, Optional<RoleLock> lock, boolean lockChanged) {
    this(base, packages, lock, lockChanged, Set.of());
  }
}
