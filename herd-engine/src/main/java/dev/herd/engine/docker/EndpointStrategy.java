package dev.herd.engine.docker;

import java.util.Optional;

/**
 * One way of finding an engine. Strategies are tried by descending priority; the first whose
 * endpoint answers a ping wins.
 */
public interface EndpointStrategy {
  /** Short name shown by {@code herd doctor}, e.g. "DOCKER_HOST". */
  String name();

  int priority();

  /** Why this strategy cannot apply here (no socket file, variable unset), or empty. */
  Optional<String> notApplicable();

  /** The endpoint to try; called only when applicable. May start a service (see {@link #startsService()}). */
  Endpoint endpoint();

  /** True for the last-resort strategy that starts {@code podman system service} itself. */
  default boolean startsService() {
    return false;
  }

  /** What {@code herd doctor} says about this candidate when it was used. */
  default String usedDetail() {
    return "answered ping";
  }
}
