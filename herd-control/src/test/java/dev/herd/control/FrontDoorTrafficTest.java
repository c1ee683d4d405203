package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.frontdoor.AccessLogEntry;
import dev.herd.control.frontdoor.FrontDoor;
import dev.herd.control.loop.ManualScheduler;
import dev.herd.control.loop.Scheduler;
import dev.herd.control.state.NodeLog;
import dev.herd.control.state.Store;
import dev.herd.engine.fake.FakeEngine;
import dev.herd.engine.fake.ManualClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access log's lines land in the fleet's logs (node frontdoor, stream access) and in its figures. */
class FrontDoorTrafficTest {
  @TempDir Path dir;

  static AccessLogEntry line(long counter, Instant at, int status, long ms) {
    return AccessLogEntry.parse("herd1 4242 " + counter + " " + at.toEpochMilli() + " fleet_web web-1_18081 " + status + " " + ms
        + " 1 483 ---- \"GET / HTTP/1.1\"").orElseThrow();
  }

  @Test
  void accessLogLinesAreKeptWithTheFleetsLogs() throws Exception {
    ManualClock clock = new ManualClock();
    Scheduler never = (delay, task) -> () -> { };
    try (Store store = Store.open(dir)) {
      LogCollector logs = new LogCollector(new FakeEngine(clock), store, never, clock, "shop");
      FrontDoorTraffic traffic = new FrontDoorTraffic(new FrontDoor("shop", dir.resolve("frontdoor"), "haproxy"), never, clock, logs);
      Instant at = clock.instant();
      traffic.onAccess(line(1, at, 200, 3));
      traffic.onAccess(line(2, at.plusMillis(5), 503, 12));
      logs.flush();

      List<NodeLog> kept = store.logs("web", null, null, 100);
      assertThat(kept).extracting(NodeLog::node, NodeLog::stream, NodeLog::text).containsExactly(
          org.assertj.core.groups.Tuple.tuple("frontdoor", "access", "GET / HTTP/1.1 200 web-1_18081 3ms 483B ----"),
          org.assertj.core.groups.Tuple.tuple("frontdoor", "access", "GET / HTTP/1.1 503 web-1_18081 12ms 483B ----"));
      assertThat(kept.getFirst().time()).isEqualTo(at);
      assertThat(traffic.traffic("web")).as("no counters read yet (haproxy is not running)").isEmpty();
    }
  }

  /** A rollout's traffic becomes one rollout_traffic note when the rollout ends, read on the scheduler. */
  @Test
  void theEndOfARolloutIsSummedUpInANote() throws Exception {
    ManualClock clock = new ManualClock();
    ManualScheduler scheduler = new ManualScheduler(clock);
    try (Store store = Store.open(dir)) {
      LogCollector logs = new LogCollector(new FakeEngine(clock), store, scheduler, clock, "shop");
      FrontDoorTraffic traffic = new FrontDoorTraffic(new FrontDoor("shop", dir.resolve("frontdoor"), "haproxy"), scheduler, clock, logs);
      List<String> notes = new java.util.ArrayList<>();
      traffic.meter().sample(dev.herd.control.frontdoor.StatCountersFixture.counters(100, 100), clock.instant());
      traffic.onEvent("web", "rollout_started", clock.instant(), (f, s) -> notes.add(f + ": " + s));
      scheduler.runDue();
      traffic.onAccess(line(1, clock.instant().plusMillis(10), 200, 4));
      clock.advance(java.time.Duration.ofSeconds(10));
      traffic.meter().sample(dev.herd.control.frontdoor.StatCountersFixture.counters(150, 150), clock.instant());
      traffic.onEvent("web", "rollout_completed", clock.instant(), (f, s) -> notes.add(f + ": " + s));
      traffic.onAccess(line(2, clock.instant().minusMillis(5), 200, 4)); // logged before the end, read after it
      assertThat(notes).as("not on the publishing thread").isEmpty();
      scheduler.runDue();
      assertThat(notes).as("waits for the access log").isEmpty();
      clock.advance(java.time.Duration.ofSeconds(2));
      scheduler.runDue();
      assertThat(notes).containsExactly("web: 50 requests through the front door in 10s (5.0/s): 2xx 50, 4xx 0, 5xx 0, "
          + "retried on another node 0; access log: 2 requests, 0 failed, p50 4 ms, p99 4 ms");
    }
  }
}
