package dev.herd.spec;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An amount of bytes written like Kubernetes quantities: {@code 512Mi}, {@code 1Gi} (binary),
 * {@code 100M}, {@code 10k} (decimal) or a plain number of bytes.
 */
public record Size(long bytes) implements Comparable<Size> {
  public static final String WHAT = "a size like 512Mi";
  private static final Pattern FORM = Pattern.compile("(\\d+)\\s*(Ki|Mi|Gi|Ti|k|K|M|G|T|B)?");

  public Size {
    if (bytes < 0) {
      throw new IllegalArgumentException("size must not be negative: " + bytes);
    }
  }

  public static Size ofBytes(long bytes) {
    return new Size(bytes);
  }

  public static Size parse(String text) {
    Matcher m = FORM.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "expected " + WHAT + ", got " + Texts.quote(text));
    }
    long factor =
        switch (m.group(2) == null ? "B" : m.group(2)) {
          case "Ki" -> 1L << 10;
          case "Mi" -> 1L << 20;
          case "Gi" -> 1L << 30;
          case "Ti" -> 1L << 40;
          case "k", "K" -> 1_000L;
          case "M" -> 1_000_000L;
          case "G" -> 1_000_000_000L;
          case "T" -> 1_000_000_000_000L;
          default -> 1L;
        };
    try {
      return new Size(Math.multiplyExact(Long.parseLong(m.group(1)), factor));
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("size is too large: " + Texts.quote(text));
    }
  }

  public long mebibytes() {
    return bytes >> 20;
  }

  @Override
  public int compareTo(Size o) {
    return Long.compare(bytes, o.bytes);
  }

  /** The largest binary unit that divides exactly ({@code 1Gi}, {@code 1536Mi}, {@code 100}). */
  @Override
  public String toString() {
    String[] units = {"Ti", "Gi", "Mi", "Ki"};
    int[] shifts = {40, 30, 20, 10};
    for (int i = 0; i < units.length; i++) {
      long unit = 1L << shifts[i];
      if (bytes != 0 && bytes % unit == 0) {
        return (bytes / unit) + units[i];
      }
    }
    return Long.toString(bytes);
  }
}
