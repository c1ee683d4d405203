package dev.herd.bake.audit;

import dev.herd.bake.tree.ApplyContext;
import dev.herd.bake.tree.ImageRoot;
import dev.herd.bake.tree.TemplateVars;
import dev.herd.spec.Role;
import dev.herd.spec.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code herd audit ROLE --root DIR}: a directory tree against a role, as the CLI runs it and as
 * a controller runs it for the CLI's quick path ({@code POST /v1/audit}), so both say the same.
 */
public final class TreeAudit {
  private TreeAudit() {}

  /**
   * @param sourceDateEpoch the client's {@code SOURCE_DATE_EPOCH} (the build time templates see), or null
   * @throws IllegalArgumentException when {@code root} is not a directory
   */
  public static AuditReport ofDirectory(Spec spec, Role role, Path stateDir, Path root, String sourceDateEpoch) {
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("--root " + root + " is not a directory");
    }
    ImageRoot tree = ImageRoot.at(root);
    return new Auditor(tree, Auditor.ownersOnDisk(tree, role.resources()), context(spec, role, stateDir, sourceDateEpoch)).audit(role);
  }

  /** What the bake gives templates, with {@code sourceDateEpoch} (or 1970) as the build time. */
  public static ApplyContext context(Spec spec, Role role, Path stateDir, String sourceDateEpoch) {
    Instant epoch = sourceDateEpoch == null || sourceDateEpoch.isBlank() ? Instant.EPOCH
        : Instant.ofEpochSecond(Long.parseLong(sourceDateEpoch.strip()));
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("role", Map.of("name", role.name()));
    facts.put("project", Map.of("name", spec.project().name()));
    facts.put("image", Map.of("created", epoch.toString()));
    return new ApplyContext(spec.dir(), stateDir, new TemplateVars(role.vars(), facts), epoch);
  }
}
