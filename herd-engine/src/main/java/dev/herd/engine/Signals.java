package dev.herd.engine;

/** Checks signal names for {@link Engine#signal}. */
public final class Signals {
  private Signals() {}

  /** Throws IllegalArgumentException unless {@code signal} is one of {@link Engine#SIGNALS}. */
  public static void check(String signal) {
    if (signal == null || !Engine.SIGNALS.contains(signal)) {
      throw new IllegalArgumentException("signal must be one of " + new java.util.TreeSet<>(Engine.SIGNALS)
          + " (without SIG), got: " + signal);
    }
  }
}
