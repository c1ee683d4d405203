package dev.herd.engine;

/** The engine refused or failed the call; the message carries what the engine said. */
public final class EngineFailure extends EngineException {
  private final int status;

  public EngineFailure(String message, int status, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  public EngineFailure(String message) {
    this(message, 0, null);
  }

  /** The HTTP status the engine answered with, 0 when there was none. */
  public int status() {
    return status;
  }
}
