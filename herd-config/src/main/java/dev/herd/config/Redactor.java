package dev.herd.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Replaces every known secret plaintext in a string with {@code ***}: the server runs API answers
 * and log lines through it. Thread-safe; {@link SecretStore} adds every value it stores or reads.
 *
 * <p>Values shorter than {@value #MIN_LENGTH} characters are not redacted: they would match
 * ordinary text everywhere and make logs useless. A multi-line secret (a PEM key) is also
 * redacted line by line, for logs that print one line of it.
 */
public final class Redactor {
  public static final String MASK = "***";
  public static final int MIN_LENGTH = 4;
  private static final int MIN_LINE_LENGTH = 8;

  private final Set<String> secrets = ConcurrentHashMap.newKeySet();
  /** Longest first, so a secret containing another is replaced whole; rebuilt on change. */
  private volatile List<String> ordered = List.of();

  public void add(byte[] secret) {
    add(new String(secret, StandardCharsets.UTF_8));
  }

  public void add(String secret) {
    boolean changed = false;
    if (secret.length() >= MIN_LENGTH) {
      changed |= secrets.add(secret);
    }
    if (secret.indexOf('\n') >= 0) {
      for (String line : secret.split("\r?\n")) {
        String t = line.strip();
        if (t.length() >= MIN_LINE_LENGTH) {
          changed |= secrets.add(t);
        }
      }
    }
    if (changed) {
      List<String> l = new ArrayList<>(secrets);
      l.sort(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
      ordered = List.copyOf(l);
    }
  }

  /** {@code text} with every known secret replaced by {@value #MASK}. */
  public String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (String s : ordered) {
      if (out.contains(s)) {
        out = out.replace(s, MASK);
      }
    }
    return out;
  }

  /**
   * Whether {@code value} is, or contains, a known secret (equal to one of at least
   * {@value #MIN_LENGTH} characters, or containing one of at least 8). Compares in memory only;
   * nothing is logged.
   */
  public boolean isKnown(String value) {
    if (value == null || value.length() < MIN_LENGTH) {
      return false;
    }
    if (secrets.contains(value) || secrets.contains(value.strip())) {
      return true;
    }
    for (String s : ordered) {
      if (s.length() >= MIN_LINE_LENGTH && value.contains(s)) {
        return true;
      }
    }
    return false;
  }

  /** How many values it knows (lines of multi-line secrets count separately). */
  public int size() {
    return secrets.size();
  }
}
