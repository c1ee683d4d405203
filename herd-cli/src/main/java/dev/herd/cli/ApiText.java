package dev.herd.cli;

import dev.herd.server.api.Api;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** How the CLI shows API bodies to people: log lines and change lists here, status and events in herd-server's ApiText. */
final class ApiText {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  private ApiText() {}

  /** One line per event, in this machine's time zone (the server's text answers use the same renderer). */
  static String event(Api.EventView e) {
    return dev.herd.server.api.ApiText.event(e, ZoneId.systemDefault());
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

}
