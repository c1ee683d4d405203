package dev.herd.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Change notification for config, flags and discovery. Stores {@link #publish} the new revision
 * of a {@link Topic} after they commit; the server long-polls with {@link #awaitChange} (one
 * request per node, on a virtual thread) or pushes SSE from a {@link #subscribe} listener.
 * Revisions only grow: a waiter given the revision it last saw can never miss a change, even one
 * published between two polls.
 *
 * <p>It sees changes made through this process (the server); other processes write through the
 * API, so that is all of them.
 */
public final class ConfigWatch {
  private static final Logger log = LoggerFactory.getLogger(ConfigWatch.class);

  /** What can change. {@code role} is empty for flags and discovery, which are per environment. */
  public record Topic(Kind kind, String environment, String role) {
    public enum Kind {
      CONFIG,
      FLAGS,
      DISCOVERY
    }

    public Topic {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(environment, "environment");
      Objects.requireNonNull(role, "role");
      if ((kind == Kind.CONFIG) == role.isEmpty()) {
        throw new IllegalArgumentException("config topics have a role, flags and discovery topics do not");
      }
    }

    public static Topic config(String environment, String role) {
      return new Topic(Kind.CONFIG, environment, role);
    }

    public static Topic flags(String environment) {
      return new Topic(Kind.FLAGS, environment, "");
    }

    public static Topic discovery(String environment) {
      return new Topic(Kind.DISCOVERY, environment, "");
    }

    @Override
    public String toString() {
      return kind.name().toLowerCase() + " " + environment + (role.isEmpty() ? "" : "/" + role);
    }
  }

  /** {@code topic} is now at {@code revision}. */
  public record Change(Topic topic, long revision) {}

  /** Stops a listener; closing twice is harmless. */
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  private final ToLongFunction<Topic> currentRevision;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<Topic, Long> latest = new HashMap<>();
  private final Map<Topic, List<Consumer<Change>>> listeners = new HashMap<>();

  /** @param currentRevision a topic's revision in the store, asked once per topic per process */
  public ConfigWatch(ToLongFunction<Topic> currentRevision) {
    this.currentRevision = Objects.requireNonNull(currentRevision, "currentRevision");
  }

  /** The latest revision of a topic (0 when it never changed). */
  public long revision(Topic topic) {
    lock.lock();
    try {
      return latestLocked(topic);
    } finally {
      lock.unlock();
    }
  }

  private long latestLocked(Topic topic) {
    return latest.computeIfAbsent(topic, currentRevision::applyAsLong);
  }

  /** Records that {@code topic} reached {@code revision}; wakes waiters and calls listeners. Older revisions are ignored. */
  public void publish(Topic topic, long revision) {
    List<Consumer<Change>> toCall;
    lock.lock();
    try {
      Long before = latest.get(topic);
      if (before != null && before >= revision) {
        return;
      }
      latest.put(topic, revision);
      changed.signalAll();
      toCall = new ArrayList<>(listeners.getOrDefault(topic, List.of()));
    } finally {
      lock.unlock();
    }
    Change change = new Change(topic, revision);
    for (Consumer<Change> l : toCall) {
      try {
        l.accept(change);
      } catch (RuntimeException e) {
        log.warn("config watch listener for {} failed: {}", topic, e.toString());
      }
    }
  }

  /**
   * Blocks until {@code topic} is past {@code sinceRevision} or {@code timeout} passes.
   *
   * @return the topic's revision now: greater than {@code sinceRevision} when it changed, else equal
   *     or less (the caller answers "no change", 304-style)
   */
  public long awaitChange(Topic topic, long sinceRevision, Duration timeout) throws InterruptedException {
    List<Change> changes = awaitAny(Map.of(topic, sinceRevision), timeout);
    return changes.isEmpty() ? revision(topic) : changes.get(0).revision();
  }

  /**
   * Blocks until any topic in {@code since} is past its revision there, or {@code timeout} passes.
   * A node watches its config, the environment's flags and discovery in one call.
   *
   * @return every topic that moved past its given revision (empty on timeout), in the order given
   */
  public List<Change> awaitAny(Map<Topic, Long> since, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lockInterruptibly();
    try {
      while (true) {
        List<Change> moved = new ArrayList<>();
        for (Map.Entry<Topic, Long> e : new LinkedHashMap<>(since).entrySet()) {
          long now = latestLocked(e.getKey());
          if (now > e.getValue()) {
            moved.add(new Change(e.getKey(), now));
          }
        }
        long left = deadline - System.nanoTime();
        if (!moved.isEmpty() || left <= 0) {
          return moved;
        }
        changed.await(left, TimeUnit.NANOSECONDS);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Calls {@code listener} after each publish of {@code topic}, on the publishing thread: hand the
   * change off (queue, SSE send on another thread); never block in it.
   */
  public Subscription subscribe(Topic topic, Consumer<Change> listener) {
    Objects.requireNonNull(listener, "listener");
    lock.lock();
    try {
      listeners.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(listener);
    } finally {
      lock.unlock();
    }
    return () -> {
      lock.lock();
      try {
        List<Consumer<Change>> l = listeners.get(topic);
        if (l != null) {
          l.remove(listener);
        }
      } finally {
        lock.unlock();
      }
    };
  }
}
