package dev.herd.control.loop;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The level-based loop: keys in, one reconcile at a time per key, different keys in parallel on
 * virtual threads. Done → nothing until the next trigger; requeue-after → timer; a failure →
 * retry with exponential backoff (1s doubling to 2m); a {@link TerminalError} → no retry.
 *
 * <p>Without {@link #start()} nothing runs on its own: {@link #drain()} processes the queue on
 * the caller's thread (simulated time in tests and benchmarks).
 */
public final class ReconcileLoop implements AutoCloseable {
  /** Reconciles one key. */
  @FunctionalInterface
  public interface Reconciler {
    Result reconcile(String key);
  }

  /** How one pass ended, for metrics. */
  public enum Outcome { DONE, REQUEUE, FAILED, TERMINAL }

  /** Told about every pass after it ended (metrics); must be quick and never throw. */
  @FunctionalInterface
  public interface PassObserver {
    void passed(String key, Duration took, Outcome outcome);
  }

  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofMinutes(2);
  private static final Logger log = LoggerFactory.getLogger(ReconcileLoop.class);
  private static final int DRAIN_LIMIT = 100_000;

  private final Reconciler reconciler;
  private final Scheduler scheduler;
  private final BiConsumer<String, RuntimeException> onFailure;
  private final WorkQueue queue = new WorkQueue();
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();
  private final Map<String, Scheduler.Task> timers = new ConcurrentHashMap<>();
  private volatile ExecutorService workers;
  private volatile Thread dispatcher;
  private final java.util.List<PassObserver> observers = new java.util.concurrent.CopyOnWriteArrayList<>();

  public ReconcileLoop(Reconciler reconciler, Scheduler scheduler, BiConsumer<String, RuntimeException> onFailure) {
    this.reconciler = reconciler;
    this.scheduler = scheduler;
    this.onFailure = onFailure;
  }

  /** Queues a key now (handlers, API calls). */
  public void enqueue(String key) {
    queue.add(key);
  }

  /** Queues a key after a delay; a later call for the same key replaces the earlier timer. */
  public void enqueueAfter(String key, Duration delay) {
    Scheduler.Task t = scheduler.schedule(delay, () -> {
      timers.remove(key);
      queue.add(key);
    });
    Scheduler.Task old = timers.put(key, t);
    if (old != null) {
      old.cancel();
    }
  }

  /** Runs keys in the background until {@link #close()}. */
  public synchronized void start() {
    if (dispatcher != null) {
      return;
    }
    workers = Executors.newVirtualThreadPerTaskExecutor();
    dispatcher = Thread.ofVirtual().name("herd-reconcile-dispatch").start(() -> {
      try {
        String key;
        while ((key = queue.take()) != null) {
          String k = key;
          workers.execute(() -> process(k));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** Processes queued keys on this thread until the queue is empty; returns how many ran. */
  public int drain() {
    if (dispatcher != null) {
      throw new IllegalStateException("drain() is for a loop that was not started");
    }
    int ran = 0;
    String key;
    while ((key = queue.poll()) != null) {
      process(key);
      if (++ran > DRAIN_LIMIT) {
        throw new IllegalStateException("reconcile did not settle after " + DRAIN_LIMIT + " passes (last key " + key + ")");
      }
    }
    return ran;
  }

  public boolean idle() {
    return queue.idle();
  }

  /** Adds an observer of every pass; closing the handle removes it. */
  public AutoCloseable observe(PassObserver observer) {
    observers.add(observer);
    return () -> observers.remove(observer);
  }

  /** Keys waiting for a pass (not counting those being reconciled). */
  public int queued() {
    return queue.size();
  }

  private void process(String key) {
    long start = System.nanoTime();
    Outcome outcome = Outcome.FAILED;
    try {
      Result r = reconciler.reconcile(key);
      failures.remove(key);
      outcome = Outcome.DONE;
      if (r instanceof Result.RequeueAfter(Duration d)) {
        outcome = Outcome.REQUEUE;
        enqueueAfter(key, d);
      }
    } catch (TerminalError e) {
      outcome = Outcome.TERMINAL;
      failures.remove(key);
      // the owner reports the failure (one line per distinct failure); the detail is for --verbose
      log.debug("reconcile {} failed and will not be retried until something changes", key, e);
      onFailure.accept(key, e);
    } catch (RuntimeException e) {
      int n = failures.merge(key, 1, Integer::sum);
      Duration backoff = backoff(n);
      log.debug("reconcile {} failed (attempt {}), retrying in {}", key, n, backoff, e);
      onFailure.accept(key, e);
      enqueueAfter(key, backoff);
    } finally {
      queue.done(key);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      for (PassObserver o : observers) {
        o.passed(key, took, outcome);
      }
    }
  }

  /**
   * Forgets every key's failures and queues {@code keys} now: what broke them was fixed (the
   * engine came back), so waiting out a backoff of up to two minutes would only delay recovery.
   */
  public void retryNow(Iterable<String> keys) {
    failures.clear();
    for (String k : keys) {
      Scheduler.Task t = timers.remove(k);
      if (t != null) {
        t.cancel();
      }
      queue.add(k);
    }
  }

  /** Consecutive failures of {@code key} (0 after a success). */
  public int failures(String key) {
    return failures.getOrDefault(key, 0);
  }

  public static Duration backoff(int attempt) {
    Duration d = FIRST_BACKOFF.multipliedBy(1L << Math.min(attempt - 1, 20));
    return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
  }

  @Override
  public synchronized void close() {
    queue.shutdown();
    timers.values().forEach(Scheduler.Task::cancel);
    if (dispatcher != null) {
      dispatcher.interrupt();
      workers.shutdown();
      try {
        workers.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
