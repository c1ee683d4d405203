package dev.herd.control.health;

import dev.herd.engine.EngineEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OOM kills inside nodes, from the engine's {@link EngineEvent.OutOfMemory} events. A kill often
 * hits a helper process (a writer filling a tmpfs, a worker) while the node's main process keeps
 * running, so nothing else would show it. Each kill is reported once by the next pass; a node
 * with {@link #REPEATS} kills within {@link #WINDOW} is unhealthy (it keeps hitting its memory
 * limit) and gets replaced.
 *
 * <p>Kills from before this controller started are not counted: the engine replays events from
 * the oldest node's start, and those kills were reported by the controller that saw them.
 * Thread-safe: events arrive on the engine's thread, passes drain on the loop's.
 */
public final class OomWatch {
  /** Kills within {@link #WINDOW} that make a node unhealthy. */
  public static final int REPEATS = 3;
  public static final Duration WINDOW = Duration.ofMinutes(10);

  /** What a pass learns about one container: kills not reported yet, kills within the window. */
  public record Report(int newKills, int recentKills) {
    public static final Report NONE = new Report(0, 0);

    public boolean unhealthy() {
      return recentKills >= REPEATS;
    }
  }

  private static final class Kills {
    final Deque<Instant> recent = new ArrayDeque<>();
    int unreported;
  }

  private final Instant since;
  private final Map<String, Kills> byContainer = new ConcurrentHashMap<>();

  public OomWatch(Clock clock) {
    this.since = Objects.requireNonNull(clock, "clock").instant();
  }

  public void onEngineEvent(EngineEvent e) {
    switch (e) {
      case EngineEvent.OutOfMemory o when !o.time().isBefore(since) -> {
        Kills k = byContainer.computeIfAbsent(o.containerId(), id -> new Kills());
        synchronized (k) {
          k.recent.addLast(o.time());
          k.unreported++;
        }
      }
      case EngineEvent.Removed r -> byContainer.remove(r.containerId());
      default -> { }
    }
  }

  /** The container's kills since the last report, and how many fall within the window before {@code now}. */
  public Report drain(String containerId, Instant now) {
    Kills k = byContainer.get(containerId);
    if (k == null) {
      return Report.NONE;
    }
    synchronized (k) {
      while (!k.recent.isEmpty() && k.recent.peekFirst().isBefore(now.minus(WINDOW))) {
        k.recent.removeFirst();
      }
      Report r = new Report(k.unreported, k.recent.size());
      k.unreported = 0;
      return r;
    }
  }

  public void forget(String containerId) {
    byContainer.remove(containerId);
  }
}
