package dev.herd.control.drift;

import dev.herd.spec.Fleet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a fleet's drift policy makes of one node's findings. The node is quarantined when any
 * finding's kind says quarantine (the evidence is kept), else replaced when any says replace;
 * findings whose kind says report only produce a finding event.
 *
 * @param findings the findings with their action filled in
 * @param nodeAction REPLACE or QUARANTINE for the node, empty when every finding is report-only
 * @param reason the node's failure reason, {@code drift (tamper): exec "sh" at 12:01:03}, or empty
 */
public record DriftDecision(List<DriftFinding> findings, Optional<Fleet.DriftAction> nodeAction, String reason) {
  public DriftDecision {
    findings = List.copyOf(findings);
  }

  public static DriftDecision of(List<DriftFinding> found, Fleet.Drift policy) {
    Fleet.DriftAction node = null;
    for (DriftFinding f : found) {
      Fleet.DriftAction a = f.kind().policy(policy).orElse(Fleet.DriftAction.REPORT);
      if (a == Fleet.DriftAction.QUARANTINE || a == Fleet.DriftAction.REPLACE && node == null) {
        node = a;
      }
    }
    List<DriftFinding> out = new ArrayList<>();
    String reason = "";
    for (DriftFinding f : found) {
      Fleet.DriftAction a = f.kind().policy(policy).orElse(Fleet.DriftAction.REPORT);
      if (a == Fleet.DriftAction.REPORT) {
        out.add(f.withAction(DriftFinding.REPORTED));
        continue;
      }
      out.add(f.withAction(node == Fleet.DriftAction.QUARANTINE ? DriftFinding.QUARANTINED : DriftFinding.REPLACED));
      if (reason.isEmpty() && a == node) {
        reason = f.kind().reason(f.detail());
      }
    }
    return new DriftDecision(out, Optional.ofNullable(node), reason);
  }

  /**
   * The drift action behind a node's failure reason, if the reason is drift: how a pass after a
   * restart of the controller still quarantines (or replaces) as the policy says.
   */
  public static Optional<Fleet.DriftAction> actionOf(String reason, Fleet.Drift policy) {
    return DriftKind.ofReason(reason).flatMap(k -> k.policy(policy));
  }
}
