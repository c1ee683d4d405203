package dev.herd.control;

import dev.herd.control.frontdoor.AccessLogEntry;
import dev.herd.control.frontdoor.AccessLogFollower;
import dev.herd.control.frontdoor.FrontDoor;
import dev.herd.control.frontdoor.TrafficMeter;
import dev.herd.control.loop.Scheduler;
import dev.herd.control.state.NodeLog;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's side of the front door's figures: samples HAProxy's counters every
 * {@link #SAMPLE_EVERY}, follows its access log into the fleets' logs (node {@value #LOG_NODE},
 * stream {@code access}) and the {@link TrafficMeter}, and turns a rollout's traffic into an event.
 */
final class FrontDoorTraffic implements AutoCloseable {
  static final Duration SAMPLE_EVERY = Duration.ofSeconds(5);
  /** How long after a rollout's end its summary waits for the access log to catch up. */
  static final Duration ACCESS_LOG_SLACK = Duration.ofSeconds(2);
  /** The node name the access log is kept under in a fleet's logs. */
  static final String LOG_NODE = "frontdoor";
  private static final Logger log = LoggerFactory.getLogger(FrontDoorTraffic.class);

  private final FrontDoor frontDoor;
  private final Scheduler scheduler;
  private final Clock clock;
  private final LogCollector logs;
  private final TrafficMeter meter = new TrafficMeter();
  private AccessLogFollower follower;
  private volatile boolean closed;

  FrontDoorTraffic(FrontDoor frontDoor, Scheduler scheduler, Clock clock, LogCollector logs) {
    this.frontDoor = frontDoor;
    this.scheduler = scheduler;
    this.clock = clock;
    this.logs = logs;
  }

  synchronized void start(boolean followAccessLog) {
    if (followAccessLog && follower == null) {
      follower = new AccessLogFollower(frontDoor.api().socket(), this::onAccess).start();
    }
    scheduler.schedule(SAMPLE_EVERY, new Runnable() {
      @Override
      public void run() {
        if (!closed) {
          sampleNow();
          scheduler.schedule(SAMPLE_EVERY, this);
        }
      }
    });
  }

  void onAccess(AccessLogEntry e) {
    meter.record(e);
    logs.add(new NodeLog(e.time(), e.fleet(), LOG_NODE, 0, "access", e.text()));
  }

  /** Reads HAProxy's counters now; nothing when it does not run. */
  void sampleNow() {
    if (frontDoor.running().isEmpty()) {
      return;
    }
    try {
      meter.sample(frontDoor.counters(), clock.instant());
    } catch (IOException | RuntimeException e) {
      log.debug("front door: no counters ({})", e.toString());
    }
  }

  /** The meter (tests feed it counters where no HAProxy runs). */
  TrafficMeter meter() {
    return meter;
  }

  Optional<FleetTraffic> traffic(String fleet) {
    return meter.traffic(fleet, clock.instant());
  }

  /**
   * Follows rollouts through the controller's events: their start marks the counters, their end
   * (completed or failed) is summed up in a {@code rollout_traffic} event by {@code note}. Both
   * read HAProxy on the scheduler, never on the thread that publishes the event.
   */
  void onEvent(String fleet, String kind, java.time.Instant at, BiConsumer<String, String> note) {
    switch (kind) {
      case "rollout_started" -> scheduler.schedule(Duration.ZERO, () -> {
        sampleNow();
        meter.rolloutStarted(fleet, at);
      });
      case "rollout_completed", "rollout_failed" -> scheduler.schedule(Duration.ZERO, () -> {
        sampleNow();
        meter.rolloutEnded(fleet, at);
        // the access log trails the requests a little: sum up once the lines up to the end are in
        scheduler.schedule(ACCESS_LOG_SLACK, () -> meter.rolloutSummary(fleet).ifPresent(s -> note.accept(fleet, s)));
      });
      default -> { }
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (follower != null) {
      follower.close();
    }
  }
}
