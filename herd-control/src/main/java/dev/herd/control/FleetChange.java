package dev.herd.control;

import java.util.List;
import java.util.Objects;

/**
 * What applying the desired state did (or, from {@code plan}, would do) to one fleet.
 *
 * @param release the fleet's current release after the change ("web:v3")
 * @param previousRelease the release before, empty for a new fleet
 * @param details one line per change, for people ("image abc123 → def456", "count 3 → 5")
 */
public record FleetChange(String fleet, Kind kind, String release, String previousRelease, List<String> details) {
  public enum Kind {
    /** A new fleet with its first release. */
    CREATED,
    /** A new release: a rollout starts. */
    RELEASED,
    /** Settings changed (count, rollout settings ...) without a new release. */
    UPDATED,
    UNCHANGED,
    /** The fleet left the desired state: its nodes are removed. */
    DELETED
  }

  public FleetChange {
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(kind, "kind");
    release = release == null ? "" : release;
    previousRelease = previousRelease == null ? "" : previousRelease;
    details = List.copyOf(details);
  }
}
