package dev.herd.bake.tree;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * What resources need from the build besides the tree.
 *
 * @param projectDir the directory of herd.yaml; sources and templates are confined to it
 * @param vars role vars and build facts for templates
 * @param buildEpoch SOURCE_DATE_EPOCH: the only clock a bake reads (shadow "last change")
 */
public record ApplyContext(Path projectDir, TemplateVars vars, Instant buildEpoch) {
  public ApplyContext {
    Objects.requireNonNull(projectDir, "projectDir");
    Objects.requireNonNull(vars, "vars");
    Objects.requireNonNull(buildEpoch, "buildEpoch");
    if (buildEpoch.isBefore(Instant.EPOCH)) {
      throw new IllegalArgumentException("build epoch before 1970: " + buildEpoch);
    }
  }
}
