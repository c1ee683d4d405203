package dev.herd.server.metrics;

import dev.herd.control.ControllerEvent;
import dev.herd.control.drift.DriftKind;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns an event's free-text reason into one of a few fixed label values, so a metric's label
 * set stays bounded whatever the reason says (and no reason text, which may name a config key,
 * ever becomes a label).
 */
final class EventLabels {
  private static final Pattern DRIFT = Pattern.compile("drift \\(([a-z_]+)\\)");
  private static final Set<String> DRIFT_KINDS = Arrays.stream(DriftKind.values())
      .map(DriftKind::keyword).collect(Collectors.toUnmodifiableSet());

  private EventLabels() {}

  /** The event's kind as a label value: {@code node_replaced} (a fixed word of the controller's). */
  static String kind(ControllerEvent e) {
    return e.kind().toLowerCase(Locale.ROOT);
  }

  /**
   * Why a node was replaced, for replacement events: {@code exited}, {@code unhealthy},
   * {@code oom}, {@code drift}, {@code max_age}, {@code vanished}, {@code quarantined} or
   * {@code other}; empty for events that replace nothing.
   */
  static Optional<String> replacement(ControllerEvent e) {
    return switch (kind(e)) {
      case "node_recycled" -> Optional.of("max_age");
      case "node_vanished" -> Optional.of("vanished");
      case "node_quarantined" -> Optional.of("quarantined");
      case "node_replaced" -> Optional.of(replacedBecause(e.reason().toLowerCase(Locale.ROOT)));
      default -> Optional.empty();
    };
  }

  private static String replacedBecause(String reason) {
    // the phrases the controller writes (FleetPass): "exited with code 1", "stopped (exited)",
    // "health check failed 3 times (HTTP 500)", "OOM-killed 3 times ...", "drift (config): ..."
    if (reason.contains("oom-killed")) {
      return "oom";
    }
    if (reason.contains("drift")) {
      return "drift";
    }
    if (reason.contains("health check")) {
      return "unhealthy";
    }
    if (reason.contains("exited") || reason.contains("stopped")) {
      return "exited";
    }
    return "other";
  }

  /** The drift kind of a DRIFT_DETECTED event ({@code config}, {@code tamper} …), {@code other} if unreadable. */
  static Optional<String> driftKind(ControllerEvent e) {
    if (!kind(e).equals("drift_detected")) {
      return Optional.empty();
    }
    Matcher m = DRIFT.matcher(e.reason());
    return Optional.of(m.find() && DRIFT_KINDS.contains(m.group(1)) ? m.group(1) : "other");
  }
}
