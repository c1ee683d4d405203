package dev.herd.control.drift;

import java.time.Instant;
import java.util.Objects;

/**
 * One drift finding as recorded in {@code ctl_drift}.
 *
 * @param node the node's stable name (web-2), or the container name for orphan and foreign
 * @param engineName the engine's name (web-2-g3) or container name; what the finding is about
 * @param detail what was seen, for people: {@code exec "sh -c id" at 12:01:03}; never a config
 *     or secret value
 * @param action what herd did: replaced, quarantined, reported, removed, left alone, or
 *     "not acted on" for a finding from a standalone {@code herd drift} pass
 * @param key identifies the finding so it is recorded (and announced) once
 */
public record DriftFinding(Instant time, String fleet, String node, String engineName, DriftKind kind, String detail,
    String action, String key) {
  public static final String REPLACED = "replaced";
  public static final String QUARANTINED = "quarantined";
  public static final String REPORTED = "reported";
  public static final String REMOVED = "removed";
  public static final String LEFT_ALONE = "left alone";
  public static final String NOT_ACTED_ON = "not acted on";

  public DriftFinding {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(engineName, "engineName");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(action, "action");
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("a drift finding needs a key");
    }
    time = time.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
  }

  public DriftFinding withAction(String a) {
    return new DriftFinding(time, fleet, node, engineName, kind, detail, a, key);
  }

  /** {@code web-2  tamper  exec "sh" at 12:01:03  → replaced}. */
  public String line() {
    return node + "  " + kind.keyword() + "  " + detail + "  → " + action;
  }
}
