package dev.herd.control.loop;

import java.time.Duration;

/**
 * Runs tasks later. The controller never sleeps or reads the wall clock itself: production uses
 * {@link ThreadScheduler} (virtual threads), tests and simulations a {@link ManualScheduler}
 * driven by a manual clock.
 */
public interface Scheduler extends AutoCloseable {
  /** A scheduled task; cancelling a task that ran or was cancelled is harmless. */
  interface Task {
    void cancel();
  }

  Task schedule(Duration delay, Runnable task);

  @Override
  default void close() {}
}
