package dev.herd.control.drift;

import dev.herd.control.state.FleetRecord;
import dev.herd.control.state.NodePhase;
import dev.herd.control.state.NodeRecord;
import dev.herd.control.state.Release;
import dev.herd.spec.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How close a fleet is to "every node is a fresh, untouched copy of the current release".
 *
 * @param nodes nodes in service or on their way (starting, healthy, unhealthy, dead)
 * @param onCurrentRelease of those, how many run the fleet's current release
 * @param medianAge median time since the nodes started; empty without nodes
 * @param maxAge the fleet's max_age; empty when nodes may live forever
 * @param driftFindings drift findings of the fleet in the last 24 hours
 * @param writablePaths the writable paths the current release declares
 * @param score 0-100: 100 minus the points listed in {@code notes}
 * @param rating immutable (90+), mostly immutable (70+), drifting (40+) or mutable
 * @param consistency how current the fleet's images are, when the catalog was at hand
 * @param notes one short line per lost point
 */
public record ImmutabilityScore(
    String fleet,
    int nodes,
    int onCurrentRelease,
    Optional<Duration> medianAge,
    Optional<Duration> maxAge,
    int driftFindings,
    boolean readOnlyRoot,
    List<String> writablePaths,
    int score,
    String rating,
    Optional<ImageConsistency> consistency,
    List<String> notes) {

  public ImmutabilityScore {
    Objects.requireNonNull(fleet, "fleet");
    if (onCurrentRelease < 0 || onCurrentRelease > nodes) {
      throw new IllegalArgumentException("on current release must be 0-" + nodes + ", got " + onCurrentRelease);
    }
    Objects.requireNonNull(medianAge, "medianAge");
    Objects.requireNonNull(maxAge, "maxAge");
    writablePaths = List.copyOf(writablePaths);
    if (score < 0 || score > 100) {
      throw new IllegalArgumentException("score must be 0-100, got " + score);
    }
    Objects.requireNonNull(rating, "rating");
    Objects.requireNonNull(consistency, "consistency");
    notes = List.copyOf(notes);
  }

  /** Share of nodes on the current release, 1.0 for an empty fleet. */
  public double currentShare() {
    return nodes == 0 ? 1.0 : (double) onCurrentRelease / nodes;
  }

  /** {@code mostly immutable (78/100): 3/4 nodes on web:v2, 1 drift finding in 24h, …}. */
  public String summary() {
    return rating + " (" + score + "/100)" + (notes.isEmpty() ? "" : ": " + String.join("; ", notes));
  }

  /**
   * @param findings the fleet's drift findings of the last 24 hours
   */
  public static ImmutabilityScore of(FleetRecord fleet, Release current, List<NodeRecord> nodeRecords,
      List<DriftFinding> findings, Instant now) {
    return of(fleet, current, nodeRecords, findings, Optional.empty(), now);
  }

  /** Nodes in service or on their way: what the score and the consistency view count. */
  public static List<NodeRecord> live(List<NodeRecord> nodeRecords) {
    return nodeRecords.stream()
        .filter(n -> n.phase() != NodePhase.QUARANTINED && n.phase() != NodePhase.REMOVING && n.phase() != NodePhase.CREATING)
        .toList();
  }

  /**
   * @param consistency the fleet's image consistency: loses points per version its oldest image
   *     is behind the latest and for a base refreshed more than 30 days ago
   */
  public static ImmutabilityScore of(FleetRecord fleet, Release current, List<NodeRecord> nodeRecords,
      List<DriftFinding> findings, Optional<ImageConsistency> consistency, Instant now) {
    List<NodeRecord> live = live(nodeRecords);
    int onCurrent = (int) live.stream().filter(n -> n.releaseId().equals(current.id())).count();
    List<Duration> ages = live.stream()
        .map(n -> Duration.between(n.startedAt() != null ? n.startedAt() : n.createdAt(), now))
        .map(d -> d.isNegative() ? Duration.ZERO : d).sorted().toList();
    Optional<Duration> median = ages.isEmpty() ? Optional.empty() : Optional.of(ages.size() % 2 == 1
        ? ages.get(ages.size() / 2) : ages.get(ages.size() / 2 - 1).plus(ages.get(ages.size() / 2)).dividedBy(2));
    Optional<Duration> maxAge = fleet.settings().maxAge();
    boolean readOnly = current.spec().runtime().readOnlyRoot();
    List<String> writable = current.spec().runtime().writable();

    int score = 100;
    List<String> notes = new ArrayList<>();
    if (!live.isEmpty() && onCurrent < live.size()) {
      int lost = (int) Math.round(40.0 * (live.size() - onCurrent) / live.size());
      score -= lost;
      notes.add(onCurrent + "/" + live.size() + " nodes on " + current.id() + " (-" + lost + ")");
    }
    if (maxAge.isEmpty()) {
      score -= 10;
      notes.add("no max_age: nodes may live forever (-10)");
    } else if (median.isPresent() && median.get().compareTo(maxAge.get()) > 0) {
      score -= 15;
      notes.add("median node age " + Durations.format(median.get().withNanos(0)) + " is past max_age "
          + Durations.format(maxAge.get()) + " (-15)");
    }
    if (!findings.isEmpty()) {
      int lost = Math.min(30, 10 * findings.size());
      score -= lost;
      notes.add(findings.size() + " drift finding" + (findings.size() == 1 ? "" : "s") + " in 24h (-" + lost + ")");
    }
    if (!readOnly) {
      score -= 20;
      notes.add("root filesystem is writable (-20)");
    }
    // declared state: each volume keeps data across generations, which is what immutability gives up
    List<String> volumes = fleet.settings().volumes().stream().map(v -> v.name() + " at " + v.path()).toList();
    if (!volumes.isEmpty()) {
      int lost = Math.min(20, 10 * volumes.size());
      score -= lost;
      notes.add(volumes.size() + " volume" + (volumes.size() == 1 ? "" : "s") + " (state kept across generations): "
          + String.join(", ", volumes) + " (-" + lost + ")");
    }
    if (!writable.isEmpty()) {
      int lost = Math.min(10, 2 * writable.size());
      score -= lost;
      notes.add(writable.size() + " writable path" + (writable.size() == 1 ? "" : "s") + ": " + String.join(", ", writable)
          + " (-" + lost + ")");
    }
    if (consistency.isPresent()) {
      int[] s = {score};
      notes.addAll(consistency.get().lostPoints(s));
      score = s[0];
    }
    score = Math.max(0, score);
    String rating = score >= 90 ? "immutable" : score >= 70 ? "mostly immutable" : score >= 40 ? "drifting" : "mutable";
    return new ImmutabilityScore(fleet.name(), live.size(), onCurrent, median, maxAge, findings.size(), readOnly, writable,
        score, rating, consistency, notes);
  }
}
