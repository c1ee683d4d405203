package dev.herd.cli;

import dev.herd.bake.audit.AuditFinding;
import dev.herd.bake.audit.AuditReport;
import dev.herd.bake.audit.Auditor;
import dev.herd.bake.audit.ContainerExport;
import dev.herd.bake.audit.TreeAudit;
import dev.herd.bake.base.Trees;
import dev.herd.bake.tree.ImageRoot;
import dev.herd.bake.tree.TreeException;
import dev.herd.spec.Role;
import dev.herd.spec.Spec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herd audit ROLE --root DIR | --container NAME}: how far a pet (a server's root, or a
 * container) is from a role. Changes nothing.
 */
@Command(
    name = "audit",
    header = "Check a tree or a container against a role, changing nothing.",
    mixinStandardHelpOptions = true,
    description = {
      "Audit a tree against a role, changing nothing: the role's resources in check mode (owners",
      "and modes as they are on disk), its packages in the tree's dpkg database, and every file an",
      "installed package owns against dpkg's md5sums. One line per difference: what is → what should be.",
      "Exit codes: 0 matches, 2 differs, 4 error (no such role, unreadable tree, podman failed)."
    })
public final class AuditCommand implements Callable<Integer> {
  static final int DIFFERS = 2;

  @Mixin ProjectOptions project;

  @Parameters(paramLabel = "ROLE", description = "The role in herd.yaml to audit against.")
  String role;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  static final class Target {
    @Option(names = "--root", paramLabel = "DIR", description = "Audit the tree rooted at DIR (e.g. / or a mounted disk).")
    Path root;

    @Option(names = "--container", paramLabel = "NAME", description = "Audit a container: podman export into a temporary directory.")
    String container;
  }

  @Option(names = "--podman", paramLabel = "CMD", defaultValue = "podman", description = "The podman command (default: ${DEFAULT-VALUE}).")
  String podman;

  @picocli.CommandLine.Spec CommandSpec command;

  @Override
  public Integer call() {
    Spec spec;
    try {
      spec = project.loadSpec(null);
    } catch (CliFailure e) {
      throw new CliFailure(HerdCli.ENVIRONMENT, e.getMessage(), e);
    }
    Role r = spec.roles().get(role);
    if (r == null) {
      throw new CliFailure(HerdCli.ENVIRONMENT, "no role \"" + role + "\" in " + spec.file().getFileName()
          + " (roles: " + String.join(", ", spec.roles().keySet()) + ")");
    }
    Path temp = null;
    AuditReport report;
    try {
      if (target.root != null) {
        report = TreeAudit.ofDirectory(spec, r, project.stateDir(spec.file()), target.root, System.getenv("SOURCE_DATE_EPOCH"));
      } else {
        temp = Files.createTempDirectory("herd-audit-");
        ContainerExport.Unpacked u = ContainerExport.export(podman, target.container, temp);
        report = new Auditor(ImageRoot.at(u.dir()), u.owners(),
            TreeAudit.context(spec, r, project.stateDir(spec.file()), System.getenv("SOURCE_DATE_EPOCH"))).audit(r);
      }
    } catch (IOException | UncheckedIOException | IllegalArgumentException | TreeException e) {
      throw new CliFailure(HerdCli.ENVIRONMENT, "audit of role " + role + " failed: " + e.getMessage(), e);
    } finally {
      if (temp != null) {
        Trees.deleteRecursively(temp);
      }
    }
    PrintWriter out = command.commandLine().getOut();
    for (AuditFinding f : report.findings()) {
      out.println(f.line());
    }
    command.commandLine().getErr().println(report.summary());
    return report.matches() ? HerdCli.OK : DIFFERS;
  }
}
