package dev.herd.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.herd.server.api.Api;
import dev.herd.server.client.ApiClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ServerStreamTest {
  @TempDir Path dir;
  ServerFixture f;
  ApiClient client;
  final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  final List<Thread> readers = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    logged.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logged);
    f = new ServerFixture(dir);
    client = ApiClient.forStateDir(f.stateDir, Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() throws InterruptedException {
    readers.forEach(Thread::interrupt);
    f.close();
    for (Thread t : readers) {
      t.join(5000);
    }
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logged);
  }

  @Test
  void eventStreamDeliversNewEventsAndResumesAfterAnId() {
    List<Api.EventView> live = follow("/v1/events/stream");
    await().atMost(Duration.ofSeconds(10)).until(() -> f.controller != null && streamOpen());
    client.post("/v1/apply", null, Api.Changes.class);
    f.settle(3);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(live).extracting(Api.EventView::kind)
        .contains("fleet_created", "node_created"));
    client.post("/v1/fleets/web/scale", new Api.Scale(4), Api.Done.class);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(live).extracting(Api.EventView::reason)
        .anyMatch(r -> r.contains("scaled from 3 to 4")));
    assertThat(live).extracting(Api.EventView::id).isSorted().doesNotHaveDuplicates();

    long first = live.getFirst().id();
    List<Api.EventView> resumed = follow("/v1/events/stream?after=" + first);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(resumed).extracting(Api.EventView::id).startsWith(first + 1).contains(live.getLast().id()));
  }

  @Test
  void logStreamFollowsNewLines() {
    client.post("/v1/apply", null, Api.Changes.class);
    f.settle(3);
    List<Api.LogLine> lines = new CopyOnWriteArrayList<>();
    reader(() -> client.stream("/v1/logs/stream?fleet=web", e -> lines.add(client.decode(e, Api.LogLine.class)) || true));
    var node = f.fake.listNodes("shop").getFirst().ref();
    f.fake.emitLog(node, "first line");
    f.until(Duration.ofSeconds(10), x -> !x.controller.logs("web", null, null, 10).isEmpty());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(lines).extracting(Api.LogLine::text)
        .contains("first line"));
    f.fake.emitLog(node, "second line");
    f.until(Duration.ofSeconds(10), x -> x.controller.logs("web", null, null, 10).size() >= 2);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(lines).extracting(Api.LogLine::text)
        .containsSubsequence("first line", "second line"));
    assertThat(lines.stream().filter(l -> l.text().equals("first line"))).hasSize(1);
  }

  @Test
  void streamsRefuseBadParametersWithAReason() {
    assertThatThrownBy(() -> client.stream("/v1/logs/stream?node=web-9", e -> true))
        .isInstanceOf(ApiClient.ApiFailure.class).hasMessageContaining("no node \"web-9\"");
    assertThatThrownBy(() -> client.stream("/v1/events/stream?after=x", e -> true))
        .isInstanceOf(ApiClient.ApiFailure.class).hasMessageContaining("after: expected a whole number");
  }

  @Test
  void theTokenIsNeverLogged() {
    client.post("/v1/apply", null, Api.Changes.class);
    f.settle(3);
    client.post("/v1/fleets/web/scale", new Api.Scale(2), Api.Done.class);
    assertThat(logged.list).isNotEmpty();
    assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains(f.token()));
  }

  private boolean streamOpen() {
    // The stream sends a ": live" comment once subscribed; a client that got its headers is enough here.
    return !readers.isEmpty() && readers.getFirst().isAlive();
  }

  private List<Api.EventView> follow(String path) {
    List<Api.EventView> out = new CopyOnWriteArrayList<>();
    reader(() -> client.stream(path, e -> out.add(client.decode(e, Api.EventView.class)) || true));
    return out;
  }

  private void reader(Runnable r) {
    Thread t = Thread.ofVirtual().start(() -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        // the fixture closing the server ends the stream
      }
    });
    readers.add(t);
  }
}
