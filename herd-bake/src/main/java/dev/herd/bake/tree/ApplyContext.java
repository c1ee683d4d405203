package dev.herd.bake.tree;

import dev.herd.spec.SourcePaths;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * What resources need from the build besides the tree.
 *
 * @param projectDir the directory of herd.yaml; sources and templates are confined to it
 * @param stateDir herd's state directory; sources and templates may never read it
 * @param vars role vars and build facts for templates
 * @param buildEpoch SOURCE_DATE_EPOCH: the only clock a bake reads (shadow "last change")
 */
public record ApplyContext(Path projectDir, Path stateDir, TemplateVars vars, Instant buildEpoch) {
  public ApplyContext {
    Objects.requireNonNull(projectDir, "projectDir");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(vars, "vars");
    Objects.requireNonNull(buildEpoch, "buildEpoch");
    if (buildEpoch.isBefore(Instant.EPOCH)) {
      throw new IllegalArgumentException("build epoch before 1970: " + buildEpoch);
    }
  }

  /** With the default state directory ({@code .herd} beside herd.yaml). */
  public ApplyContext(Path projectDir, TemplateVars vars, Instant buildEpoch) {
    this(projectDir, projectDir.resolve(SourcePaths.DEFAULT_STATE_DIR), vars, buildEpoch);
  }
}
