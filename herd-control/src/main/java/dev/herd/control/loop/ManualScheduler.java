package dev.herd.control.loop;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/**
 * A scheduler for simulated time: tasks run on the caller's thread in {@link #runDue()} once the
 * clock has reached their time. Deterministic (due time, then scheduling order).
 */
public final class ManualScheduler implements Scheduler {
  private final Clock clock;
  private final PriorityQueue<Entry> queue = new PriorityQueue<>();
  private long seq;

  public ManualScheduler(Clock clock) {
    this.clock = clock;
  }

  private final class Entry implements Comparable<Entry>, Task {
    final Instant due;
    final long order;
    final Runnable task;
    volatile boolean cancelled;

    Entry(Instant due, long order, Runnable task) {
      this.due = due;
      this.order = order;
      this.task = task;
    }

    @Override
    public int compareTo(Entry o) {
      int c = due.compareTo(o.due);
      return c != 0 ? c : Long.compare(order, o.order);
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  @Override
  public synchronized Task schedule(Duration delay, Runnable task) {
    Entry e = new Entry(clock.instant().plus(delay.isNegative() ? Duration.ZERO : delay), seq++, task);
    queue.add(e);
    return e;
  }

  /** Runs every task due by now (including tasks they schedule for now); returns how many ran. */
  public int runDue() {
    int ran = 0;
    while (true) {
      Entry next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.due.isAfter(clock.instant())) {
          return ran;
        }
        queue.poll();
      }
      if (!next.cancelled) {
        next.task.run();
        ran++;
      }
    }
  }

  /** When the next live task is due, or null when none is scheduled. */
  public synchronized Instant nextDue() {
    while (!queue.isEmpty() && queue.peek().cancelled) {
      queue.poll();
    }
    return queue.isEmpty() ? null : queue.peek().due;
  }

  public synchronized int pending() {
    return (int) queue.stream().filter(e -> !e.cancelled).count();
  }
}
