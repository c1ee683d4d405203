package dev.herd.bake;

import java.time.Duration;

/** Progress of a bake. Core code emits; the CLI renders (see STYLE: events, not printing). */
public interface BakeListener {
  /** A stage starts; {@code detail} says what it is about to do. */
  default void started(Stage stage, String detail) {}

  /** A stage ended; {@code summary} says what it did ("cached", "3 changed, 2 unchanged"). */
  default void finished(Stage stage, String summary, Duration took) {}

  /** A line of detail within a stage (one changed resource, one run step's output line). */
  default void detail(Stage stage, String line) {}

  BakeListener NONE = new BakeListener() {};
}
