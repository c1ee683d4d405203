package dev.herd.engine;

import dev.herd.common.Refusal;

/** Why an engine call failed. The subtype tells the caller whether retrying can help. */
public abstract sealed class EngineException extends RuntimeException implements Refusal
    permits ImageMissing, NameConflict, PortInUse, EngineUnreachable, EngineFailure {

  protected EngineException(String message, Throwable cause) {
    super(message, cause);
  }

  /** True when the same call may succeed later without anything changing on herd's side. */
  public boolean transientFailure() {
    return false;
  }
}
