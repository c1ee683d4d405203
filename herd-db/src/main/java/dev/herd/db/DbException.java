package dev.herd.db;

/**
 * A failure of herd.db. The kind lets callers tell a damaged or emptied store (the operator must
 * act; retrying cannot help) from a busy or failing one.
 */
public final class DbException extends RuntimeException {
  public enum Kind {
    /** The file fails SQLite's integrity check or is not a database. */
    DAMAGED,
    /** The file exists with zero bytes: whatever the project had is gone. */
    EMPTY,
    /** Another connection held the write lock past the busy timeout. */
    BUSY,
    /** Any other SQLite or file-system failure. */
    STORAGE
  }

  private final Kind kind;

  public DbException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** True when the operator has to restore or replace the file; retrying will not help. */
  public boolean needsOperator() {
    return kind == Kind.DAMAGED || kind == Kind.EMPTY;
  }

  /** The damaged-or-empty database failure in {@code t}'s cause chain, if any. */
  public static java.util.Optional<DbException> needingOperator(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof DbException d && d.needsOperator()) {
        return java.util.Optional.of(d);
      }
    }
    return java.util.Optional.empty();
  }
}
