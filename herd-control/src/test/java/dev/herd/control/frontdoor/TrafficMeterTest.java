package dev.herd.control.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.FleetTraffic;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TrafficMeterTest {
  static final Instant T0 = Instant.parse("2026-12-06T06:00:00Z");

  /** {@code show stat} as HAProxy 2.6 answers it, cut to the columns herd reads (it reads by name). */
  static String stat(long reqTot, long r2xx, long r5xx, long retries) {
    return """
        # pxname,svname,scur,stot,econ,eresp,wretr,wredis,status,weight,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,req_tot,rtime,ttime,ttime_max,mode,addr,
        fleet_web,FRONTEND,2,%1$d,,,,,OPEN,,0,%2$d,0,1,%3$d,0,%1$d,,,,http,,
        fleet_web,web-1_18081,0,%1$d,0,0,%4$d,%4$d,UP,100,0,%2$d,0,1,%3$d,0,%1$d,3,7,21,http,127.0.0.1:18081,
        fleet_web,BACKEND,0,%1$d,0,0,%4$d,%4$d,UP,100,0,%2$d,0,1,%3$d,0,%1$d,3,7,21,http,,
        stats,FRONTEND,0,5,,,,,OPEN,,0,0,0,0,0,0,0,,,,http,,
        """.formatted(reqTot, r2xx, r5xx, retries);
  }

  static AccessLogEntry entry(long counter, Instant at, int status, long ms) {
    return AccessLogEntry.parse("herd1 4242 " + counter + " " + at.toEpochMilli() + " fleet_web web-1_18081 " + status + " " + ms
        + " 1 483 ---- \"GET / HTTP/1.1\"").orElseThrow();
  }

  @Test
  void parsesHerdsBackendsFromShowStatByColumnName() throws Exception {
    Map<String, StatCounters> c = StatCounters.parse(stat(1000, 990, 9, 4));
    assertThat(c).containsOnlyKeys("web");
    StatCounters web = c.get("web");
    assertThat(web.requests()).isEqualTo(1000);
    assertThat(web.responses(2)).isEqualTo(990);
    assertThat(web.responses(4)).isEqualTo(1);
    assertThat(web.responses(5)).isEqualTo(9);
    assertThat(web.retries()).isEqualTo(4);
    assertThat(web.avgResponseMs()).isEqualTo(3);
    assertThat(web.avgTotalMs()).isEqualTo(7);
    assertThat(web.maxTotalMs()).isEqualTo(21);
    assertThat(web.sessions()).isEqualTo(2);
  }

  @Test
  void requestsPerSecondComeFromTheCountersBetweenSamplesAndSurviveAReload() throws Exception {
    TrafficMeter m = new TrafficMeter();
    m.sample(StatCounters.parse(stat(1000, 1000, 0, 0)), T0);
    assertThat(m.traffic("web", T0).orElseThrow().requestsPerSecond()).as("one sample: no rate yet").isEmpty();
    m.sample(StatCounters.parse(stat(1500, 1500, 0, 0)), T0.plusSeconds(5));
    m.sample(StatCounters.parse(stat(2500, 2500, 0, 0)), T0.plusSeconds(10));
    assertThat(m.traffic("web", T0.plusSeconds(10)).orElseThrow().requestsPerSecond().getAsDouble()).isEqualTo(150.0);
    m.sample(StatCounters.parse(stat(2600, 2600, 0, 0)), T0.plusSeconds(25));
    // the window reaches back 15 s: from the sample at 10 s
    assertThat(m.traffic("web", T0.plusSeconds(25)).orElseThrow().requestsPerSecond().getAsDouble()).isEqualTo(100.0 / 15);

    m.sample(StatCounters.parse(stat(40, 40, 0, 0)), T0.plusSeconds(30)); // haproxy reloaded: counters began again
    assertThat(m.traffic("web", T0.plusSeconds(30)).orElseThrow().requestsPerSecond()).isEmpty();
    m.sample(StatCounters.parse(stat(90, 90, 0, 0)), T0.plusSeconds(35));
    assertThat(m.traffic("web", T0.plusSeconds(35)).orElseThrow().requestsPerSecond().getAsDouble()).isEqualTo(10.0);
    assertThat(m.traffic("api", T0.plusSeconds(35))).isEmpty();
  }

  @Test
  void percentilesComeFromTheAccessLogOfTheLastMinuteWhateverTheOrderRequestsEnd() throws Exception {
    TrafficMeter m = new TrafficMeter();
    m.sample(StatCounters.parse(stat(0, 0, 0, 0)), T0);
    // requests end out of the order they began (their counters): 100, 99, ..., 1 — every one counts
    for (int i = 100; i >= 1; i--) {
      m.record(entry(i, T0.plusMillis(i * 100L), i == 100 ? 503 : 200, i)); // 1..100 ms
    }
    FleetTraffic t = m.traffic("web", T0.plusSeconds(11)).orElseThrow();
    assertThat(t.windowRequests()).isEqualTo(100);
    assertThat(t.windowFailed()).isEqualTo(1);
    assertThat(t.p50Ms()).isEqualTo(OptionalLong.of(50));
    assertThat(t.p99Ms()).isEqualTo(OptionalLong.of(99));
    assertThat(m.traffic("web", T0.plusSeconds(75)).orElseThrow().windowRequests()).as("a minute later").isZero();
    assertThat(m.traffic("web", T0.plusSeconds(75)).orElseThrow().p99Ms()).isEmpty();
  }

  @Test
  void aRolloutsTrafficIsSummedUpFromItsStartToItsEnd() throws Exception {
    TrafficMeter m = new TrafficMeter();
    m.sample(StatCounters.parse(stat(1000, 990, 10, 0)), T0);
    m.rolloutStarted("web", T0);
    for (int i = 1; i <= 200; i++) {
      m.record(entry(i, T0.plusMillis(i * 50L), 200, i <= 197 ? 2 : 40));
    }
    m.sample(StatCounters.parse(stat(1200, 1190, 10, 3)), T0.plusSeconds(10));
    assertThat(m.rolloutSummary("web")).as("not ended yet").isEmpty();
    m.rolloutEnded("web", T0.plusSeconds(10));
    m.record(entry(300, T0.plusSeconds(11), 503, 900)); // after the end: not the rollout's
    assertThat(m.rolloutSummary("web")).hasValue("200 requests through the front door in 10s (20.0/s): "
        + "2xx 200, 4xx 0, 5xx 0, retried on another node 3; access log: 200 requests, 0 failed, p50 2 ms, p99 40 ms");
    assertThat(m.rolloutSummary("web")).as("once").isEmpty();
  }

  @Test
  void histogramBucketsAreExactBelow100MsAndBoundedAbove() {
    LatencyHistogram h = new LatencyHistogram();
    for (long ms : new long[] {0, 1, 99, 100, 109, 999, 1000, 9999, 10_000, 60_000}) {
      assertThat(LatencyHistogram.upperEdge(LatencyHistogram.bucket(ms))).as("%d ms", ms).isGreaterThanOrEqualTo(Math.min(ms, 10_000));
      assertThat(LatencyHistogram.upperEdge(LatencyHistogram.bucket(ms)) - ms).as("%d ms", ms)
          .isLessThanOrEqualTo(ms < 100 ? 0 : ms < 1000 ? 9 : 99);
    }
    assertThat(h.quantile(0.99)).isEmpty();
    h.add(7);
    assertThat(h.quantile(0.5)).hasValue(7);
    assertThat(h.quantile(0.99)).hasValue(7);
  }

  @Test
  void accessLogLinesParseAndForeignOnesAreSkipped() {
    AccessLogEntry e = entry(7, T0, 502, 12);
    assertThat(e.fleet()).isEqualTo("web");
    assertThat(e.failed()).isTrue();
    assertThat(e.text()).isEqualTo("GET / HTTP/1.1 502 web-1_18081 12ms 483B ----");
    assertThat(AccessLogEntry.parse("<134>Dec  6 06:00:00 haproxy[1]: Proxy fleet_web started.")).isEmpty();
    assertThat(AccessLogEntry.parse("herd1 1 2 3 stats x 200")).isEmpty();
    assertThat(entry(8, T0, 404, 1).failed()).as("a 4xx is the client's").isFalse();
    // a tcp session ended by the server before the client: failed; by the client: not
    assertThat(AccessLogEntry.parse("herd1 1 9 1796534859100 fleet_db db-1_18090 -1 30 -1 0 SD -")).get()
        .extracting(AccessLogEntry::failed).isEqualTo(true);
    assertThat(AccessLogEntry.parse("herd1 1 10 1796534859100 fleet_db db-1_18090 -1 30 -1 0 CD -")).get()
        .extracting(AccessLogEntry::failed).isEqualTo(false);
  }
}
