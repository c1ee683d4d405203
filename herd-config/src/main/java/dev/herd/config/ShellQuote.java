package dev.herd.config;

/** POSIX sh quoting: everything between single quotes is literal; a quote itself is {@code '\''}. */
final class ShellQuote {
  private ShellQuote() {}

  static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
