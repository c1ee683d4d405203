package dev.herd.server.ui;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * HTML text for the dashboard's pages. Every value from the project (names, reasons, log lines,
 * config) goes through {@link #esc}; URL parts through {@link #seg} then {@link #esc}. Pages are
 * built from these pieces, never by pasting unescaped strings.
 */
final class Html {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
      .withZone(ZoneOffset.UTC);

  private Html() {}

  /** Text or attribute value, escaped for both (quotes included). */
  static String esc(Object value) {
    if (value == null) {
      return "";
    }
    String s = value.toString();
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        case '\r', '\n', '\t' -> out.append(c);
        default -> {
          // control characters have no business in a page; show where they were
          out.append(c < 0x20 || c == 0x7f ? '\uFFFD' : c);
        }
      }
    }
    return out.toString();
  }

  /** One URL path segment (a fleet or node name) percent-encoded; still pass the URL through esc. */
  static String seg(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String time(Instant t) {
    return t == null ? "–" : TIME.format(t);
  }

  /** "42s", "7m", "3h", "2d". */
  static String age(Instant then, Instant now) {
    if (then == null) {
      return "–";
    }
    Duration d = Duration.between(then, now);
    if (d.isNegative()) {
      return "0s";
    }
    if (d.toSeconds() < 120) {
      return d.toSeconds() + "s";
    }
    if (d.toMinutes() < 120) {
      return d.toMinutes() + "m";
    }
    if (d.toHours() < 48) {
      return d.toHours() + "h";
    }
    return d.toDays() + "d";
  }

  /** A CSS class name from a fixed word (a node state, an event kind): letters, digits and dashes only. */
  static String cls(String word) {
    return word == null ? "" : word.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
  }
}
