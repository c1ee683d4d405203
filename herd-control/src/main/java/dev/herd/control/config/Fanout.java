package dev.herd.control.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Runs one task per item on virtual threads, at most {@code bound} at a time, and waits for all:
 * a fleet's nodes are re-rendered and signalled together, so a change reaches the last node
 * about as soon as the first instead of after every other one.
 */
final class Fanout {
  private Fanout() {}

  /** Runs {@code task} for each item; tasks handle their own failures (a throw is not reported). */
  static <T> void forEach(Collection<T> items, int bound, Consumer<T> task) {
    if (bound < 1) {
      throw new IllegalArgumentException("bound must be >= 1, got " + bound);
    }
    if (items.size() <= 1) {
      items.forEach(task);
      return;
    }
    Semaphore permits = new Semaphore(bound);
    List<Thread> threads = new ArrayList<>(items.size());
    boolean interrupted = false;
    for (T item : items) {
      try {
        permits.acquire();
      } catch (InterruptedException e) {
        interrupted = true;
        break;
      }
      threads.add(Thread.ofVirtual().name("herd-fanout").start(() -> {
        try {
          task.accept(item);
        } finally {
          permits.release();
        }
      }));
    }
    for (Thread t : threads) {
      while (true) {
        try {
          t.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // the tasks are short; finish them so no node is left half-done
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
