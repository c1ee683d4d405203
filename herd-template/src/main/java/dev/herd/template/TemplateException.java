package dev.herd.template;

import dev.herd.common.Refusal;

/**
 * A template failed: a syntax error, an undefined name, a refused include or a limit. The
 * message is {@code NAME:LINE: detail} (line 0 when Jinjava cannot tell).
 */
public final class TemplateException extends RuntimeException implements Refusal {
  private final String name;
  private final int line;
  private final String detail;
  private final boolean limit;

  TemplateException(String name, int line, String detail, boolean limit, Throwable cause) {
    super(name + ":" + line + ": " + detail, cause);
    this.name = name;
    this.line = line;
    this.detail = detail;
    this.limit = limit;
  }

  public String name() {
    return name;
  }

  public int line() {
    return line;
  }

  /** The message without {@code NAME:LINE: }. */
  public String detail() {
    return detail;
  }

  /** Whether a {@link TemplateLimits} bound was hit (rather than a mistake in the template). */
  public boolean limit() {
    return limit;
  }
}
