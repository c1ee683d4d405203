package dev.herd.server.api;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * How herd shows API bodies to people: the status table and event lines. One renderer for the
 * CLI (which prints the bodies it decoded) and for the server's {@code text/plain} answers
 * (which the launcher's quick client prints as they come), so both print the same bytes.
 */
public final class ApiText {
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  private ApiText() {}

  /** One line per event, its time in {@code zone}: {@code 14:02:07  web-2 replaced: health check failed 3 times}. */
  public static String event(Api.EventView e, ZoneId zone) {
    return CLOCK.withZone(zone).format(e.time()) + "  " + e.reason();
  }

  /** The event lines, each ending with a line separator. */
  public static String events(Iterable<Api.EventView> events, ZoneId zone) {
    StringBuilder b = new StringBuilder();
    for (Api.EventView e : events) {
      b.append(event(e, zone)).append(System.lineSeparator());
    }
    return b.toString();
  }

  /** What {@code herd status} prints. */
  public static String status(Api.Status s) {
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text);
    status(out, s);
    out.flush();
    return text.toString();
  }

  public static void status(PrintWriter out, Api.Status s) {
    if (s.fleets().isEmpty()) {
      out.println("project " + s.project() + ": no fleets yet (herd apply)");
      return;
    }
    for (Api.FleetView f : s.fleets()) {
      out.printf("%s  %s  %d/%d healthy%s%s%n", f.name(), f.release(), f.healthy(), f.count(),
          f.count() != f.specCount() ? " (scaled; herd.yaml says " + f.specCount() + ")" : "",
          f.deleted() ? "  being removed" : "");
      if (f.address() != null) {
        out.printf("  address: %s%n", f.address());
      }
      if (f.consistency() != null) {
        out.printf("  images: %s%n", f.consistency().summary());
      }
      if (f.traffic() != null) {
        out.printf("  traffic: %s%n", f.traffic().summary());
      }
      if (s.immutability().containsKey(f.name())) {
        out.printf("  immutability: %s%n", s.immutability().get(f.name()));
      }
      if (s.autoscale().containsKey(f.name())) {
        out.printf("  autoscale: %s%n", s.autoscale().get(f.name()));
      }
      if (f.rollout() != null) {
        Api.RolloutView r = f.rollout();
        out.printf("  %s %s → %s: %s, %d/%d updated, %d ready%s%n", r.rollback() ? "rollback" : r.strategy() + " rollout",
            r.from(), r.to(), r.state(), r.updated(), r.target(), r.ready(), r.reason().isEmpty() ? "" : " (" + r.reason() + ")");
      }
      out.printf("  %-16s %-12s %-12s %-6s %-6s %s%n", "NODE", "STATE", "RELEASE", "GEN", "PORT", "AGE");
      for (Api.NodeView n : f.nodes()) {
        out.printf("  %-16s %-12s %-12s %-6d %-6d %s%s%n", n.name(), n.state(), n.release(), n.generation(), n.port(),
            age(n.ageSeconds()), n.reason().isEmpty() ? "" : "  " + n.reason());
      }
    }
  }

  public static String age(long seconds) {
    Duration d = Duration.ofSeconds(seconds);
    if (d.toDays() > 0) {
      return d.toDays() + "d" + d.toHoursPart() + "h";
    }
    if (d.toHours() > 0) {
      return d.toHours() + "h" + d.toMinutesPart() + "m";
    }
    if (d.toMinutes() > 0) {
      return d.toMinutes() + "m" + d.toSecondsPart() + "s";
    }
    return d.toSeconds() + "s";
  }
}
