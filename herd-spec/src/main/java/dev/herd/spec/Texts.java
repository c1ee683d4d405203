package dev.herd.spec;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Small text helpers for user-facing messages. */
final class Texts {
  private Texts() {}

  /** A value in double quotes, shortened so one bad value cannot flood the terminal. */
  static String quote(String s) {
    String t = s.length() > 60 ? s.substring(0, 57) + "..." : s;
    StringBuilder b = new StringBuilder("\"");
    for (char c : t.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /** "a, b or c". */
  static String orList(Collection<String> items) {
    List<String> l = List.copyOf(items);
    if (l.size() <= 1) {
      return String.join("", l);
    }
    return String.join(", ", l.subList(0, l.size() - 1)) + " or " + l.get(l.size() - 1);
  }

  /** The closest candidate within a few edits, for "did you mean" hints. */
  static Optional<String> closest(String word, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = levenshtein(word.toLowerCase(), c.toLowerCase());
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    int allowed = Math.max(2, word.length() / 3);
    return best != null && bestDistance <= allowed ? Optional.of(best) : Optional.empty();
  }

  static int levenshtein(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
