package dev.herd.control.health;

import java.util.Objects;

/** One probe's answer; {@code detail} says what was seen ("HTTP 500", "connection refused"). */
public record ProbeResult(boolean ok, String detail) {
  public ProbeResult {
    Objects.requireNonNull(detail, "detail");
  }

  public static ProbeResult ok(String detail) {
    return new ProbeResult(true, detail);
  }

  public static ProbeResult fail(String detail) {
    return new ProbeResult(false, detail);
  }
}
