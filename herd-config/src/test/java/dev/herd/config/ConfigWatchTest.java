package dev.herd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.config.ConfigWatch.Topic;
import dev.herd.spec.Spec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWatchTest {
  @TempDir Path dir;

  @Test
  void aConfigChangeWakesAWaiter() throws Exception {
    Spec spec = TestSpecs.spec(dir);
    try (HerdConfig cfg = HerdConfig.open(dir, Map.of()); ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      long since = cfg.watch().revision(Topic.config("prod", "web"));
      assertThat(since).isZero();
      CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() -> {
        try {
          return cfg.watch().awaitChange(Topic.config("prod", "web"), since, Duration.ofSeconds(30));
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }, pool);
      // it is blocked: nothing changed yet
      assertThat(waiter).isNotDone();
      cfg.config().set(spec, "prod", "web", Map.of("A", "1"), Edit.by("alice"));
      assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
    }
  }

  @Test
  void awaitTimesOutWithoutChangeAndReturnsAtOnceWhenBehind() throws Exception {
    ConfigWatch w = new ConfigWatch(t -> 5);
    long start = System.nanoTime();
    assertThat(w.awaitChange(Topic.flags("prod"), 5, Duration.ofMillis(200))).isEqualTo(5);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(190));
    // a client that saw revision 3 learns of 5 immediately: no change is missed between polls
    start = System.nanoTime();
    assertThat(w.awaitChange(Topic.flags("prod"), 3, Duration.ofSeconds(30))).isEqualTo(5);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void awaitAnyAcrossConfigFlagsAndDiscovery() throws Exception {
    ConfigWatch w = new ConfigWatch(t -> 0);
    Map<Topic, Long> since = Map.of(Topic.config("prod", "web"), 0L, Topic.flags("prod"), 0L, Topic.discovery("prod"), 0L);
    CompletableFuture<List<ConfigWatch.Change>> waiter = CompletableFuture.supplyAsync(() -> {
      try {
        return w.awaitAny(since, Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    w.publish(Topic.config("dev", "web"), 9); // another scope: does not wake it with a result
    w.publish(Topic.discovery("prod"), 4);
    assertThat(waiter.get(10, TimeUnit.SECONDS)).containsExactly(new ConfigWatch.Change(Topic.discovery("prod"), 4));
  }

  @Test
  void listenersHearFlagChangesUntilClosed() {
    Spec spec = TestSpecs.spec(dir);
    try (HerdConfig cfg = HerdConfig.open(dir, Map.of())) {
      List<ConfigWatch.Change> heard = new CopyOnWriteArrayList<>();
      ConfigWatch.Subscription sub = cfg.watch().subscribe(Topic.flags("prod"), heard::add);
      cfg.flags().put(spec, "prod", Flag.bool("x", 10), Edit.by("a"));
      cfg.flags().put(spec, "dev", Flag.bool("x", 10), Edit.by("a"));
      await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 1);
      assertThat(heard).containsExactly(new ConfigWatch.Change(Topic.flags("prod"), 1));
      sub.close();
      cfg.flags().put(spec, "prod", Flag.bool("x", 20), Edit.by("a"));
      assertThat(cfg.watch().revision(Topic.flags("prod"))).isEqualTo(2);
      assertThat(heard).hasSize(1);
    }
  }

  @Test
  void aRestartedWatchStartsFromTheStoredRevision() {
    Spec spec = TestSpecs.spec(dir);
    try (HerdConfig cfg = HerdConfig.open(dir, Map.of())) {
      cfg.config().set(spec, "prod", "web", Map.of("A", "1"), Edit.by("a"));
      cfg.config().set(spec, "prod", "web", Map.of("A", "2"), Edit.by("a"));
    }
    try (HerdConfig cfg = HerdConfig.open(dir, Map.of())) {
      assertThat(cfg.watch().revision(Topic.config("prod", "web"))).isEqualTo(2);
    }
  }
}
