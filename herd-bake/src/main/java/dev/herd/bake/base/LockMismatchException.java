package dev.herd.bake.base;

import java.util.List;

/** {@code --locked} was asked for and herd.lock is missing or does not match the resolution. */
public final class LockMismatchException extends BaseBuildException {
  private final List<String> differences;

  public LockMismatchException(String message, List<String> differences) {
    super(differences.isEmpty() ? message : message + "\n  " + String.join("\n  ", differences));
    this.differences = List.copyOf(differences);
  }

  public List<String> differences() {
    return differences;
  }
}
