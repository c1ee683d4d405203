package dev.herd.server;

import dev.herd.spec.Durations;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Query parameters, validated with messages that name the parameter. */
final class Params {
  static final int MAX_LIMIT = 10_000;

  private Params() {}

  /** {@code since}: a duration back from now (10m, 2h) or an ISO instant; null when absent. */
  static Instant since(Context ctx, Clock clock) {
    String s = ctx.queryParam("since");
    if (s == null || s.isBlank()) {
      return null;
    }
    if (Character.isDigit(s.charAt(0)) && s.contains("T")) {
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e) {
        throw ApiError.badRequest("since: expected a duration like 10m or an instant like 2026-01-01T10:00:00Z, got "
            + quote(s));
      }
    }
    try {
      return clock.instant().minus(Durations.parse(s));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("since: expected a duration like 10m or an instant like 2026-01-01T10:00:00Z, got "
          + quote(s));
    }
  }

  static long nonNegativeLong(Context ctx, String name, long dflt) {
    String s = ctx.queryParam(name);
    if (s == null || s.isBlank()) {
      return dflt;
    }
    try {
      long v = Long.parseLong(s.strip());
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiError.badRequest(name + ": expected a whole number >= 0, got " + quote(s));
  }

  static int limit(Context ctx, int dflt) {
    long v = nonNegativeLong(ctx, "limit", dflt);
    if (v < 1 || v > MAX_LIMIT) {
      throw ApiError.badRequest("limit: must be between 1 and " + MAX_LIMIT + ", got " + v);
    }
    return (int) v;
  }

  /** Quotes user input for a message, cut short so a huge parameter cannot flood the response. */
  static String quote(String s) {
    String t = s.length() > 60 ? s.substring(0, 60) + "…" : s;
    return "\"" + t.replace("\"", "\\\"") + "\"";
  }

  /**
   * True when the client asks for {@code text/plain} first in its Accept header: the same body as
   * the CLI prints (the launcher's quick client prints it as it comes). JSON otherwise.
   */
  static boolean wantsText(Context ctx) {
    String accept = ctx.header("Accept");
    return accept != null && accept.strip().toLowerCase(java.util.Locale.ROOT).startsWith("text/plain");
  }

  static void text(Context ctx, String body) {
    ctx.contentType("text/plain; charset=utf-8").result(body);
  }

  /** {@code tz}: the zone event times are shown in (a region id like Europe/Paris, or UTC); the server's own when absent. */
  static java.time.ZoneId zone(Context ctx) {
    String tz = ctx.queryParam("tz");
    if (tz == null || tz.isBlank()) {
      return java.time.ZoneId.systemDefault();
    }
    try {
      return java.time.ZoneId.of(tz.strip());
    } catch (java.time.DateTimeException e) {
      throw ApiError.badRequest("tz: expected a time zone like Europe/Paris or UTC, got " + quote(tz));
    }
  }
}
