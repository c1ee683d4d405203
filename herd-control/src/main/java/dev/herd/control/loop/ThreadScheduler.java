package dev.herd.control.loop;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Production scheduler: one timer thread hands each due task to its own virtual thread. */
public final class ThreadScheduler implements Scheduler {
  private final ScheduledExecutorService timer;
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

  public ThreadScheduler() {
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "herd-control-timer");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public Task schedule(Duration delay, Runnable task) {
    ScheduledFuture<?> f = timer.schedule(() -> {
      if (!workers.isShutdown()) {
        workers.execute(task);
      }
    }, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    workers.shutdownNow();
  }
}
