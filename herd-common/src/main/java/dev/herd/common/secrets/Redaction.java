package dev.herd.common.secrets;

/** How a secret is shown: never more than its first four characters. */
public final class Redaction {
  private Redaction() {}

  /**
   * The first four characters and "…"; fewer for short values (a quarter of the length), so
   * a short password is never half printed.
   */
  public static String redact(String secret) {
    int show = Math.min(4, secret.length() / 4);
    return secret.substring(0, show) + "…";
  }
}
