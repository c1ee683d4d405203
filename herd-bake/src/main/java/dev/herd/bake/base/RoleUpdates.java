package dev.herd.bake.base;

import dev.herd.bake.run.ProcessRunner;
import dev.herd.image.SbomSummary;
import dev.herd.spec.Base;
import dev.herd.spec.Role;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The package updates a role's image misses: what its SBOM says is installed against what a bake
 * of the role would install from the mirror now. One instance per check, so each mirror's index
 * is downloaded once and every image of the same recipe shares the answer.
 */
public final class RoleUpdates {
  private final PackageResolver resolver;
  private final String architecture;
  private final Map<BaseRecipe, List<PackageResolver.Candidate>> seen = new HashMap<>();

  public RoleUpdates(PackageResolver resolver, String architecture) {
    this.resolver = resolver;
    this.architecture = architecture;
  }

  /** The bake's own index cache ({@code $XDG_CACHE_HOME/herd/apt}), this host's architecture. */
  public static RoleUpdates standard() {
    return new RoleUpdates(new PackageResolver(BaseCache.herdCacheHome().resolve("apt"), new ProcessRunner()), BaseRecipe.hostArchitecture());
  }

  /** Either the updates (empty: current) or why packages were not checked. */
  public record Check(List<PackageUpdates.Update> updates, Optional<String> notChecked) {
    public Check {
      updates = List.copyOf(updates);
      Objects.requireNonNull(notChecked, "notChecked");
    }

    static Check skipped(String why) {
      return new Check(List.of(), Optional.of(why));
    }

    public boolean security() {
      return updates.stream().anyMatch(PackageUpdates.Update::security);
    }
  }

  /**
   * @param role the role as herd.yaml declares it now (empty when it left the spec)
   * @param sbom the image's CycloneDX SBOM, if it has one
   * @throws BaseBuildException when the mirror cannot be read (a located, plain message)
   */
  public Check check(Optional<Role> role, Optional<byte[]> sbom) {
    if (role.isEmpty()) {
      return Check.skipped("the role is no longer in herd.yaml");
    }
    if (!(role.get().base() instanceof Base.Debian debian)) {
      return Check.skipped("the base is not a Debian mirror");
    }
    if (sbom.isEmpty()) {
      return Check.skipped("the image has no SBOM");
    }
    Map<String, String> installed = SbomSummary.debianPackages(sbom.get());
    BaseRecipe recipe = BaseRecipe.withRolePackages(debian, role.get().packages(), architecture);
    List<PackageResolver.Candidate> now = seen.computeIfAbsent(recipe, resolver::candidates);
    return new Check(PackageUpdates.between(installed, now), Optional.empty());
  }
}
