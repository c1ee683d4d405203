package dev.herd.spec;

import java.util.regex.Pattern;

/**
 * How a fleet names its nodes: a pattern with {@code {n}} exactly once ({@code web-{n}} →
 * web-1, web-2 ...). Every name it yields is a valid container and DNS name: lowercase letters,
 * digits and '-', starting and ending with a letter or digit, at most 63 characters.
 */
public record NamePattern(String pattern) {
  public static final String PLACEHOLDER = "{n}";
  /** Node numbers go up to this, so names are checked with the longest number a fleet can have. */
  public static final int MAX_NODES = 1000;

  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");

  public NamePattern {
    int first = pattern.indexOf(PLACEHOLDER);
    if (first < 0 || pattern.indexOf(PLACEHOLDER, first + 1) >= 0) {
      throw new IllegalArgumentException(
          "a node name pattern must contain {n} exactly once, like \"web-{n}\", got " + Texts.quote(pattern));
    }
    for (int n : new int[] {1, MAX_NODES}) {
      String name = pattern.replace(PLACEHOLDER, Integer.toString(n));
      if (!NAME.matcher(name).matches() || name.length() > 63) {
        throw new IllegalArgumentException(
            "node names from " + Texts.quote(pattern) + " (e.g. " + Texts.quote(name)
                + ") must be lowercase letters, digits and '-', start and end with a letter or digit,"
                + " at most 63 characters");
      }
    }
  }

  public static NamePattern forFleet(String fleet) {
    return new NamePattern(fleet + "-" + PLACEHOLDER);
  }

  /** The name of node {@code n} (1-based). */
  public String name(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("node numbers start at 1, got " + n);
    }
    return pattern.replace(PLACEHOLDER, Integer.toString(n));
  }

  @Override
  public String toString() {
    return pattern;
  }
}
