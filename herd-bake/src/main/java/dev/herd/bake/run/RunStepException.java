package dev.herd.bake.run;

import dev.herd.common.Refusal;

/** A run step failed or timed out; the message names the step, its spec location and its last output. */
public final class RunStepException extends RuntimeException implements Refusal {
  public RunStepException(String message) {
    super(message);
  }
}
