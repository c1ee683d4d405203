package dev.herd.bake.run;

/** A run step failed or timed out; the message names the step, its spec location and its last output. */
public final class RunStepException extends RuntimeException {
  public RunStepException(String message) {
    super(message);
  }
}
