package dev.herd.engine;

/** The engine did not answer (socket missing, connection refused, service down). */
public final class EngineUnreachable extends EngineException {
  public EngineUnreachable(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean transientFailure() {
    return true;
  }

  @Override
  public boolean environmental() {
    return true;
  }
}
