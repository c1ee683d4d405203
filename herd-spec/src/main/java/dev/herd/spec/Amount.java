package dev.herd.spec;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A number of nodes, absolute ({@code 1}) or relative to the fleet's count ({@code "25%"}). */
public record Amount(int value, boolean percent) {
  public static final String WHAT = "a number of nodes or a percentage like \"25%\"";
  private static final Pattern PERCENT = Pattern.compile("(\\d{1,3})\\s*%");

  public Amount {
    if (value < 0 || (percent && value > 100)) {
      throw new IllegalArgumentException(
          percent ? "a percentage must be between 0% and 100%, got " + value + "%"
              : "must not be negative, got " + value);
    }
  }

  public static Amount nodes(int n) {
    return new Amount(n, false);
  }

  public static Amount percentOf(int p) {
    return new Amount(p, true);
  }

  public static Amount parse(String text) {
    Matcher m = PERCENT.matcher(text.strip());
    if (m.matches()) {
      return percentOf(Integer.parseInt(m.group(1)));
    }
    if (text.strip().matches("\\d{1,9}")) {
      return nodes(Integer.parseInt(text.strip()));
    }
    throw new IllegalArgumentException("expected " + WHAT + ", got " + Texts.quote(text));
  }

  public boolean isZero() {
    return value == 0;
  }

  /**
   * Nodes for a fleet of {@code count}; percentages round up when {@code roundUp} (surge) and
   * down otherwise (unavailable), as Kubernetes does, so a rollout is never blocked by rounding.
   */
  public int resolve(int count, boolean roundUp) {
    if (!percent) {
      return value;
    }
    long scaled = (long) count * value;
    return (int) (roundUp ? (scaled + 99) / 100 : scaled / 100);
  }

  @Override
  public String toString() {
    return percent ? value + "%" : Integer.toString(value);
  }
}
