package dev.herd.control.state;

import java.util.Map;
import java.util.TreeMap;

/**
 * A small text form for the controller's structured columns: one {@code key=value} per line,
 * keys sorted, so equal values always encode to equal text (release fingerprints rely on it).
 * Chosen over JSON to keep the controller free of a JSON dependency for a handful of fields.
 */
public final class Codec {
  private Codec() {}

  public static String encode(Map<String, String> values) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
      if (e.getKey().isEmpty() || e.getKey().contains("=") || e.getKey().contains("\n")) {
        throw new IllegalArgumentException("cannot encode key " + e.getKey());
      }
      out.append(e.getKey()).append('=').append(escape(e.getValue())).append('\n');
    }
    return out.toString();
  }

  public static Map<String, String> decode(String text) {
    Map<String, String> values = new TreeMap<>();
    if (text == null || text.isEmpty()) {
      return values;
    }
    for (String line : text.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("corrupt controller state line: " + line);
      }
      values.put(line.substring(0, eq), unescape(line.substring(eq + 1)));
    }
    return values;
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
  }

  private static String unescape(String v) {
    StringBuilder out = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      if (ch == '\\' && i + 1 < v.length()) {
        char next = v.charAt(++i);
        out.append(switch (next) {
          case 'n' -> '\n';
          case 'r' -> '\r';
          default -> next;
        });
      } else {
        out.append(ch);
      }
    }
    return out.toString();
  }
}
