package dev.herd.control;

import dev.herd.spec.NamePattern;

/** Reads a slot's number back from a name made by the fleet's pattern ({@code web-{n}}). */
final class SlotNames {
  private SlotNames() {}

  /** The n for which {@code pattern.name(n)} is {@code slot}, or -1 when none. */
  static int indexOf(NamePattern pattern, String slot) {
    String p = pattern.pattern();
    int at = p.indexOf(NamePattern.PLACEHOLDER);
    String prefix = p.substring(0, at);
    String suffix = p.substring(at + NamePattern.PLACEHOLDER.length());
    if (slot == null || !slot.startsWith(prefix) || !slot.endsWith(suffix)
        || slot.length() <= prefix.length() + suffix.length()) {
      return -1;
    }
    String digits = slot.substring(prefix.length(), slot.length() - suffix.length());
    if (!digits.matches("[1-9][0-9]{0,5}")) {
      return -1;
    }
    int n = Integer.parseInt(digits);
    return n <= NamePattern.MAX_NODES && pattern.name(n).equals(slot) ? n : -1;
  }
}
