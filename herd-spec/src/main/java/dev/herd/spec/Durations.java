package dev.herd.spec;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * herd.yaml durations: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 7d} and
 * combinations from the largest unit down ({@code 1h30m}, {@code 1d12h}). {@code 0} means zero.
 * The records hold {@link java.time.Duration}; this class only parses and formats.
 */
public final class Durations {
  private static final Pattern FORM =
      Pattern.compile("(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+)s)?(?:(\\d+)ms)?");
  private static final long[] MILLIS = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};

  /** What a duration looks like, for messages ("expected a duration like 5s, got ..."). */
  public static final String WHAT = "a duration like 5s";

  private Durations() {}

  /** Parses a duration; the message of the exception is ready to show to a user. */
  public static Duration parse(String text) {
    String t = text.strip();
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = FORM.matcher(t);
    if (t.isEmpty() || !m.matches()) {
      throw new IllegalArgumentException(
          "expected " + WHAT + ", got " + Texts.quote(text));
    }
    long total = 0;
    for (int i = 0; i < MILLIS.length; i++) {
      String digits = m.group(i + 1);
      if (digits == null) {
        continue;
      }
      try {
        total = Math.addExact(total, Math.multiplyExact(Long.parseLong(digits), MILLIS[i]));
      } catch (ArithmeticException | NumberFormatException e) {
        throw new IllegalArgumentException("duration is too long: " + Texts.quote(text));
      }
    }
    return Duration.ofMillis(total);
  }

  /** The shortest herd.yaml form of a duration ({@code 90m} → {@code 1h30m}). */
  public static String format(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("negative duration " + d);
    }
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    String[] units = {"d", "h", "m", "s", "ms"};
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < MILLIS.length; i++) {
      long n = ms / MILLIS[i];
      if (n > 0) {
        out.append(n).append(units[i]);
        ms -= n * MILLIS[i];
      }
    }
    return out.toString();
  }
}
