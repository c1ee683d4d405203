package dev.herd.cli.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded loopback load client of a front door: {@code rate} GETs a second (each on a virtual
 * thread, at most 64 in flight), every answer kept with the time its request was sent and the
 * release that answered it (the body of {@code /release}). A failure is a non-2xx status, a
 * reset or closed connection, or a timeout (5 s).
 */
final class FrontDoorLoad implements AutoCloseable {
  /** One answer: sent at (nanoTime and wall clock), the release that answered, or the failure. */
  record Answer(long sentNanos, Instant sentAt, String release, String failure, long micros) {
    boolean ok() {
      return failure == null;
    }
  }

  private final URI uri;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
      r -> Thread.ofPlatform().name("frontdoor-load").daemon().unstarted(r));
  private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
  private final Semaphore inFlight = new Semaphore(64);
  private final List<Answer> answers = new CopyOnWriteArrayList<>();
  private final AtomicInteger skipped = new AtomicInteger();
  private volatile boolean closed;

  private FrontDoorLoad(URI uri) {
    this.uri = uri;
  }

  /** Starts {@code rate} requests a second to {@code http://127.0.0.1:port/release}. */
  static FrontDoorLoad start(int port, int rate) {
    FrontDoorLoad l = new FrontDoorLoad(URI.create("http://127.0.0.1:" + port + "/release"));
    l.ticker.scheduleAtFixedRate(l::fire, 0, 1_000_000 / rate, TimeUnit.MICROSECONDS);
    return l;
  }

  private void fire() {
    if (closed) {
      return;
    }
    if (!inFlight.tryAcquire()) {
      skipped.incrementAndGet(); // the bound: the client never piles up requests
      return;
    }
    requests.submit(() -> {
      long t = System.nanoTime();
      Instant at = Instant.now();
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        long us = (System.nanoTime() - t) / 1000;
        answers.add(r.statusCode() / 100 == 2 ? new Answer(t, at, r.body().strip(), null, us)
            : new Answer(t, at, null, "HTTP " + r.statusCode(), us));
      } catch (HttpTimeoutException e) {
        answers.add(new Answer(t, at, null, "timeout", (System.nanoTime() - t) / 1000));
      } catch (IOException e) {
        answers.add(new Answer(t, at, null, "reset: " + e, (System.nanoTime() - t) / 1000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        inFlight.release();
      }
    });
  }

  List<Answer> answers() {
    List<Answer> out = new ArrayList<>(answers);
    out.sort(Comparator.comparingLong(Answer::sentNanos));
    return out;
  }

  int count() {
    return answers.size();
  }

  long served(String release) {
    return answers.stream().filter(a -> release.equals(a.release())).count();
  }

  List<String> failures() {
    return answers.stream().filter(a -> !a.ok()).map(a -> a.sentAt() + " " + a.failure()).toList();
  }

  /** Answers by release, e.g. {web:v1=812, web:v2=1290}. */
  Map<String, Long> byRelease() {
    Map<String, Long> m = new TreeMap<>();
    answers.stream().filter(Answer::ok).forEach(a -> m.merge(a.release(), 1L, Long::sum));
    return m;
  }

  /** Latency percentile {@code p} (0-100) of all answers, in milliseconds. */
  double latencyMillis(double p) {
    long[] us = answers.stream().mapToLong(Answer::micros).sorted().toArray();
    return us.length == 0 ? 0 : us[(int) Math.min(us.length - 1, Math.ceil(p / 100 * us.length) - 1)] / 1000.0;
  }

  String summary() {
    return count() + " requests, " + failures().size() + " failed, by release " + byRelease()
        + String.format(", latency p50 %.1f ms, p99 %.1f ms, max %.0f ms", latencyMillis(50), latencyMillis(99), latencyMillis(100))
        + (skipped.get() > 0 ? ", " + skipped.get() + " not sent (64 in flight)" : "");
  }

  /** Stops sending and waits for the requests in flight. */
  @Override
  public void close() throws InterruptedException {
    closed = true;
    ticker.shutdown();
    ticker.awaitTermination(5, TimeUnit.SECONDS);
    requests.shutdown();
    requests.awaitTermination(15, TimeUnit.SECONDS);
  }
}
