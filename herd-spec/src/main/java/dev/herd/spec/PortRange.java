package dev.herd.spec;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The host ports herd assigns to nodes, inclusive on both ends ({@code 18000-18999}). */
public record PortRange(int first, int last) {
  public static final String WHAT = "a port range like 18000-18999";
  public static final PortRange DEFAULT = new PortRange(18000, 18999);
  private static final Pattern FORM = Pattern.compile("(\\d{1,5})\\s*-\\s*(\\d{1,5})");

  public PortRange {
    if (first < 1024 || last > 65535 || first > last) {
      throw new IllegalArgumentException(
          "port range must lie within 1024-65535 with the first port <= the last, got " + first + "-" + last);
    }
  }

  public static PortRange parse(String text) {
    Matcher m = FORM.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("expected " + WHAT + ", got " + Texts.quote(text));
    }
    return new PortRange(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  public int size() {
    return last - first + 1;
  }

  public boolean contains(int port) {
    return port >= first && port <= last;
  }

  @Override
  public String toString() {
    return first + "-" + last;
  }
}
