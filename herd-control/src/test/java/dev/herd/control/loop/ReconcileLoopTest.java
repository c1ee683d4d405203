package dev.herd.control.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.engine.fake.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReconcileLoopTest {
  @Test
  void aKeyQueuedManyTimesRunsOnceAndAKeyQueuedWhileRunningRunsOnceMoreNeverConcurrently() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger maxInside = new AtomicInteger();
    List<String> other = new CopyOnWriteArrayList<>();
    try (ThreadScheduler scheduler = new ThreadScheduler();
        ReconcileLoop loop = new ReconcileLoop(key -> {
          if (!key.equals("web")) {
            other.add(key);
            return Result.done();
          }
          maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
          try {
            if (runs.incrementAndGet() == 1) {
              entered.countDown();
              release.await(10, TimeUnit.SECONDS);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            inside.decrementAndGet();
          }
          return Result.done();
        }, scheduler, (k, e) -> {})) {
      loop.start();
      loop.enqueue("web");
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 5; i++) {
        loop.enqueue("web");
      }
      loop.enqueue("api");
      await().atMost(Duration.ofSeconds(10)).until(() -> other.contains("api"));
      release.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() == 2 && loop.idle());
    }
    assertThat(maxInside.get()).isEqualTo(1);
    assertThat(other).containsExactly("api");
  }

  @Test
  void failuresRetryWithGrowingBackoffAndTerminalErrorsDoNot() {
    ManualClock clock = new ManualClock();
    ManualScheduler scheduler = new ManualScheduler(clock);
    List<Instant> attempts = new ArrayList<>();
    List<String> reported = new ArrayList<>();
    ReconcileLoop loop = new ReconcileLoop(key -> {
      attempts.add(clock.instant());
      if (key.equals("bad-input")) {
        throw new TerminalError("no such image");
      }
      throw new IllegalStateException("engine hiccup");
    }, scheduler, (k, e) -> reported.add(k + ": " + e.getMessage()));

    loop.enqueue("web");
    loop.enqueue("bad-input");
    loop.drain();
    for (int s = 0; s < 10; s++) {
      clock.advance(Duration.ofSeconds(1));
      scheduler.runDue();
      loop.drain();
    }

    Instant t0 = attempts.getFirst();
    assertThat(attempts.stream().filter(t -> true).skip(2).map(t -> Duration.between(t0, t).toSeconds()))
        .containsExactly(1L, 3L, 7L);
    assertThat(reported).contains("bad-input: no such image").filteredOn(r -> r.startsWith("bad-input")).hasSize(1);
    assertThat(ReconcileLoop.backoff(30)).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void retryNowRunsAFailingKeyAtOnceAndStartsItsBackoffAfresh() {
    ManualClock clock = new ManualClock();
    ManualScheduler scheduler = new ManualScheduler(clock);
    List<Instant> attempts = new ArrayList<>();
    boolean[] engineBack = {false};
    ReconcileLoop loop = new ReconcileLoop(key -> {
      attempts.add(clock.instant());
      if (!engineBack[0]) {
        throw new IllegalStateException("engine unreachable");
      }
      return Result.done();
    }, scheduler, (k, e) -> {});
    loop.enqueue("web");
    loop.drain();
    for (int s = 0; s < 60; s++) {
      clock.advance(Duration.ofSeconds(1));
      scheduler.runDue();
      loop.drain();
    }
    assertThat(loop.failures("web")).isEqualTo(6);   // at 0, 1, 3, 7, 15, 31 s; the next at 63 s

    engineBack[0] = true;
    loop.retryNow(List.of("web"));
    loop.drain();

    assertThat(attempts.getLast()).isEqualTo(clock.instant());
    assertThat(loop.failures("web")).isZero();
    clock.advance(Duration.ofMinutes(5));
    scheduler.runDue();
    assertThat(loop.drain()).as("the cancelled backoff timer runs nothing more").isZero();
  }

  @Test
  void requeueAfterComesBackAtThatTime() {
    ManualClock clock = new ManualClock();
    ManualScheduler scheduler = new ManualScheduler(clock);
    List<Instant> runs = new ArrayList<>();
    ReconcileLoop loop = new ReconcileLoop(key -> {
      runs.add(clock.instant());
      return runs.size() == 1 ? Result.requeueAfter(Duration.ofSeconds(30)) : Result.done();
    }, scheduler, (k, e) -> {});

    loop.enqueue("web");
    loop.drain();
    clock.advance(Duration.ofSeconds(29));
    scheduler.runDue();
    loop.drain();
    assertThat(runs).hasSize(1);
    clock.advance(Duration.ofSeconds(1));
    scheduler.runDue();
    loop.drain();
    assertThat(runs).hasSize(2);
    assertThat(scheduler.pending()).isZero();
  }
}
