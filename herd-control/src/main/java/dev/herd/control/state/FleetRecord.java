package dev.herd.control.state;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A fleet as the controller stores it.
 *
 * @param scaleOverride a count set by {@code scale} that wins over the spec until the next apply
 * @param currentRelease the release the fleet should run (the target of a running rollout)
 * @param lastGoodRelease the newest release that ran healthy on every node; rollbacks go here
 * @param deleted the fleet left the desired state: its nodes are being removed
 */
public record FleetRecord(
    FleetSettings settings,
    OptionalInt scaleOverride,
    String currentRelease,
    Optional<String> lastGoodRelease,
    boolean deleted) {

  public FleetRecord {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(scaleOverride, "scaleOverride");
    Objects.requireNonNull(currentRelease, "currentRelease");
    Objects.requireNonNull(lastGoodRelease, "lastGoodRelease");
  }

  public String name() {
    return settings.name();
  }

  /** The count the fleet should have now. */
  public int count() {
    return deleted ? 0 : scaleOverride.orElse(settings.count());
  }

  public FleetRecord withSettings(FleetSettings s) {
    return new FleetRecord(s, scaleOverride, currentRelease, lastGoodRelease, deleted);
  }

  public FleetRecord withScale(OptionalInt n) {
    return new FleetRecord(settings, n, currentRelease, lastGoodRelease, deleted);
  }

  public FleetRecord withCurrent(String release) {
    return new FleetRecord(settings, scaleOverride, release, lastGoodRelease, deleted);
  }

  public FleetRecord withLastGood(String release) {
    return new FleetRecord(settings, scaleOverride, currentRelease, Optional.of(release), deleted);
  }

  public FleetRecord withDeleted(boolean d) {
    return new FleetRecord(settings, scaleOverride, currentRelease, lastGoodRelease, d);
  }
}
