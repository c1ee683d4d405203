package dev.herd.cli;

import dev.herd.server.api.Api;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** How the CLI shows API bodies to people: event lines, change lists, the status table. */
final class ApiText {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  private ApiText() {}

  /** One line per event: {@code 14:02:07  web-2 replaced: health check failed 3 times}. */
  static String event(Api.EventView e) {
    return TIME.format(e.time()) + "  " + e.reason();
  }

  static String log(Api.LogLine l) {
    return TIME.format(l.time()) + "  " + l.node() + (l.stream().equals("stderr") ? " !" : " |") + " " + l.text();
  }

  static void changes(PrintWriter out, Api.Changes c) {
    if (c.fleets().isEmpty()) {
      out.println("no fleets in herd.yaml");
      return;
    }
    for (Api.Change f : c.fleets()) {
      String head = switch (f.kind()) {
        case "created" -> "+ " + f.fleet() + ": create on " + f.release();
        case "released" -> "~ " + f.fleet() + ": new release " + f.release() + " (from " + f.previousRelease() + ")";
        case "updated" -> "~ " + f.fleet() + ": update settings (" + f.release() + ")";
        case "deleted" -> "- " + f.fleet() + ": remove";
        default -> "  " + f.fleet() + ": unchanged (" + f.release() + ")";
      };
      out.println(head);
      f.details().forEach(d -> out.println("    " + d));
    }
    if (!c.changed()) {
      out.println(c.applied() ? "nothing to change" : "nothing would change");
    }
  }

  static void status(PrintWriter out, Api.Status s) {
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

  static String age(long seconds) {
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
