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
}
