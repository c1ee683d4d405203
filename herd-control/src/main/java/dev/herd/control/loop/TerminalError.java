package dev.herd.control.loop;

/** A reconcile failure that retrying cannot fix (bad input, missing image): no backoff retry. */
public final class TerminalError extends RuntimeException {
  public TerminalError(String message) {
    super(message);
  }
}
