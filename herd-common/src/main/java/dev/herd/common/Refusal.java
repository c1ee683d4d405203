package dev.herd.common;

/**
 * Marks an exception as an expected failure caused by the user's input or environment (a bad
 * spec, a resource that cannot be applied, a secret found, an engine that is not running), not a
 * bug in herd. Its message is complete and located ({@code herd.yaml:14:9: roles.web...}); the
 * CLI prints it as is and the API answers it without a stack trace.
 */
public interface Refusal {
  /** Why herd refused; what {@link Throwable#getMessage()} returns. */
  String getMessage();

  /** Whether the cause is the environment (a missing tool, an unreachable engine) rather than the input. */
  default boolean environmental() {
    return false;
  }

  /** The first refusal in {@code ex}'s cause chain, or null (then the failure is a bug). */
  static Refusal in(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof Refusal r) {
        return r;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
