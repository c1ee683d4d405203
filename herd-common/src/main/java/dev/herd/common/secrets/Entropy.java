package dev.herd.common.secrets;

import java.util.HashMap;
import java.util.Map;

/** Shannon entropy in bits per character: random tokens score high, words and placeholders low. */
public final class Entropy {
  private Entropy() {}

  public static double bitsPerChar(String s) {
    if (s.isEmpty()) {
      return 0;
    }
    Map<Character, Integer> counts = new HashMap<>();
    for (int i = 0; i < s.length(); i++) {
      counts.merge(s.charAt(i), 1, Integer::sum);
    }
    double h = 0;
    for (int c : counts.values()) {
      double p = (double) c / s.length();
      h -= p * (Math.log(p) / Math.log(2));
    }
    return h;
  }
}
