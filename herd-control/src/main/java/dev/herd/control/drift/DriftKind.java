package dev.herd.control.drift;

import dev.herd.spec.Fleet;
import java.util.Locale;
import java.util.Optional;

/** The ways a node (or a container near herd's) can drift from what herd released. */
public enum DriftKind {
  /** The node runs another image than its release's. */
  IMAGE,
  /** The node's release or config (env) differs from what herd recorded and released. */
  CONFIG,
  /** Files changed outside the declared writable paths (writable-root fleets only). */
  FILESYSTEM,
  /** Someone exec'd into, restarted, paused or otherwise handled the node outside herd. */
  TAMPER,
  /** The node listens on an address other machines can reach (not loopback). */
  EXPOSURE,
  /** A herd-labelled container of the project that no fleet owns; herd removes it. */
  ORPHAN,
  /** An unlabelled container that uses a fleet's node names or herd's ports; reported only. */
  FOREIGN;

  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static DriftKind parse(String keyword) {
    return valueOf(keyword.toUpperCase(Locale.ROOT));
  }

  /** The fleet's policy for this kind; empty for orphan and foreign, which have fixed handling. */
  public Optional<Fleet.DriftAction> policy(Fleet.Drift drift) {
    return switch (this) {
      case IMAGE -> Optional.of(drift.image());
      case CONFIG -> Optional.of(drift.config());
      case FILESYSTEM -> Optional.of(drift.filesystem());
      case TAMPER -> Optional.of(drift.tamper());
      case EXPOSURE -> Optional.of(drift.exposure());
      case ORPHAN, FOREIGN -> Optional.empty();
    };
  }

  /** How a node's failure reason names drift: {@code drift (tamper): exec "sh" at 12:01:03}. */
  public String reason(String detail) {
    return "drift (" + keyword() + "): " + detail;
  }

  /** The kind named by a reason made with {@link #reason}, if it is one. */
  public static Optional<DriftKind> ofReason(String reason) {
    if (reason == null || !reason.startsWith("drift (")) {
      return Optional.empty();
    }
    int end = reason.indexOf(')');
    if (end < 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(parse(reason.substring(7, end)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
