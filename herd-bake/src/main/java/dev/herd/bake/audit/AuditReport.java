package dev.herd.bake.audit;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What an audit found, in order: resources, then packages, then package files.
 *
 * @param filesChecked package files hashed and compared
 */
public record AuditReport(String role, List<AuditFinding> findings, int resourcesChecked, int packagesChecked,
    long filesChecked) {
  public AuditReport {
    findings = List.copyOf(findings);
  }

  public boolean matches() {
    return findings.isEmpty();
  }

  /** One line per finding. */
  public String render() {
    return findings.stream().map(AuditFinding::line).collect(Collectors.joining("\n"));
  }

  /** {@code role web: 3 differences (12 resources, 2 packages, 5231 package files checked)}. */
  public String summary() {
    return "role " + role + ": " + (matches() ? "matches" : findings.size() + " difference" + (findings.size() == 1 ? "" : "s"))
        + " (" + resourcesChecked + " resources, " + packagesChecked + " packages, " + filesChecked + " package files checked)";
  }
}
