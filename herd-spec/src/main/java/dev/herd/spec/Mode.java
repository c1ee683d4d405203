package dev.herd.spec;

import java.util.regex.Pattern;

/**
 * A file mode written as a quoted octal string ({@code "0644"}, {@code "1777"}). herd.yaml refuses
 * an unquoted 0644 because YAML reads it as the decimal number 644.
 */
public record Mode(int bits) {
  public static final String WHAT = "a file mode like \"0644\"";
  private static final Pattern OCTAL = Pattern.compile("[0-7]{3,5}");

  public Mode {
    if (bits < 0 || bits > 07777) {
      throw new IllegalArgumentException("file mode out of range: " + Integer.toOctalString(bits));
    }
  }

  public static Mode parse(String text) {
    String t = text.strip();
    if (!OCTAL.matcher(t).matches() || Integer.parseInt(t, 8) > 07777) {
      throw new IllegalArgumentException("expected " + WHAT + ", got " + Texts.quote(text));
    }
    return new Mode(Integer.parseInt(t, 8));
  }

  /** The four-digit octal form, e.g. {@code 0644}. */
  @Override
  public String toString() {
    return String.format("%04o", bits);
  }
}
