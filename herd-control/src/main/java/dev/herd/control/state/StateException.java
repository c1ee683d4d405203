package dev.herd.control.state;

/** The controller's database could not be read or written; the message names the file. */
public final class StateException extends RuntimeException {
  public StateException(String message, Throwable cause) {
    super(message, cause);
  }
}
