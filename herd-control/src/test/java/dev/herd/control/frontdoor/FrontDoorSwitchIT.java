package dev.herd.control.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.herd.spec.Fleet;
import dev.herd.spec.Location;
import java.io.IOException;
import java.net.CookieManager;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The front door's switches on the real HAProxy (nodes are HTTP servers in this JVM answering
 * their release): a blue/green switch and its switch back land as one change, with no failed
 * request and no old answer to a request sent after the change; a canary weight gives the canary
 * its share; a sticky cookie keeps a client on its side.
 */
class FrontDoorSwitchIT {
  static final int DOOR = 31080;

  @TempDir Path dir;
  FrontDoor door;
  final Map<Integer, HttpServer> nodes = new ConcurrentHashMap<>();

  void node(int port, String release) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    s.createContext("/", ex -> {
      byte[] body = release.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    s.start();
    nodes.put(port, s);
  }

  static Backend web(boolean sticky, Server... servers) {
    Location at = Location.start(Path.of("herd.yaml"));
    return new Backend("web", new Fleet.Expose(DOOR, "127.0.0.1", Fleet.Protocol.HTTP, Duration.ofSeconds(30), 0, at, at),
        List.of(servers), sticky);
  }

  @AfterEach
  void stop() throws IOException {
    if (door != null) {
      door.stop();
    }
    nodes.values().forEach(s -> s.stop(0));
  }

  /**
   * One answer: when its request was sent and when its answer came (System.nanoTime), and the
   * release that answered, or the failure.
   */
  record Answer(long sentAt, long doneAt, String release, String failure) {}

  /** Four virtual threads sending GETs back to back through the front door, every answer kept. */
  static final class Load implements AutoCloseable {
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    final List<Answer> answers = new CopyOnWriteArrayList<>();
    final AtomicBoolean running = new AtomicBoolean(true);
    final List<Thread> threads = new ArrayList<>();

    Load start() {
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + DOOR + "/")).timeout(Duration.ofSeconds(5)).build();
      for (int i = 0; i < 4; i++) {
        threads.add(Thread.ofVirtual().start(() -> {
          while (running.get()) {
            long t = System.nanoTime();
            try {
              HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
              long done = System.nanoTime();
              answers.add(r.statusCode() / 100 == 2 ? new Answer(t, done, r.body(), null)
                  : new Answer(t, done, null, "HTTP " + r.statusCode()));
            } catch (IOException e) {
              answers.add(new Answer(t, System.nanoTime(), null, e.toString()));
            } catch (InterruptedException e) {
              return;
            }
          }
        }));
      }
      return this;
    }

    long served(String release) {
      return answers.stream().filter(a -> release.equals(a.release())).count();
    }

    List<Answer> sentAfter(long t) {
      return answers.stream().filter(a -> a.sentAt() > t).toList();
    }

    List<String> failures() {
      return answers.stream().filter(a -> a.failure() != null).map(Answer::failure).toList();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(Duration.ofSeconds(10));
      }
    }
  }

  @Test
  void aBlueGreenSwitchAndItsSwitchBackAreEachOneChangeThatFailsNoRequest() throws Exception {
    node(31101, "blue");
    node(31102, "blue");
    node(31103, "green");
    node(31104, "green");
    Server b1 = Server.of("web-1-g1", "127.0.0.1", 31101);
    Server b2 = Server.of("web-2-g1", "127.0.0.1", 31102);
    Server g1 = Server.of("web-1-g2", "127.0.0.1", 31103);
    Server g2 = Server.of("web-2-g2", "127.0.0.1", 31104);
    door = new FrontDoor("it-fdswitch", dir.resolve(".herd/frontdoor"), "haproxy");
    door.reconcile(List.of(web(false, b1, b2)), Instant.now());

    try (Load load = new Load().start()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> load.served("blue") > 300);
      door.reconcile(List.of(web(false, g1, g2)), Instant.now());
      long switched = System.nanoTime();
      await().atMost(Duration.ofSeconds(10)).until(() -> load.sentAfter(switched).size() > 300);

      // the switch back (a rollback while the old set is kept): the blue servers are wanted again
      long backStarts = System.nanoTime();
      door.reconcile(List.of(web(false, b1, b2)), Instant.now());
      long back = System.nanoTime();
      await().atMost(Duration.ofSeconds(10)).until(() -> load.sentAfter(back).size() > 300);
      load.close();

      assertThat(load.failures()).as("failed requests").isEmpty();
      // wholly between the two changes: sent after the switch returned, answered before the
      // switch back began (a request sent just before it may reach HAProxy after it)
      List<Answer> afterSwitch = load.answers.stream().filter(a -> a.sentAt() > switched && a.doneAt() < backStarts).toList();
      assertThat(afterSwitch).as("requests sent after the switch").isNotEmpty().allMatch(a -> a.release().equals("green"));
      assertThat(load.sentAfter(back)).as("requests sent after the switch back").allMatch(a -> a.release().equals("blue"));
      System.out.printf("blue/green through the front door: %d requests, 0 failed; switch and switch back each one Runtime API write%n",
          load.answers.size());
    }
  }

  @Test
  void aCanaryAtTenPercentGetsItsShareAndAllAfterPromotion() throws Exception {
    node(31111, "v1");
    node(31112, "v1");
    node(31113, "v2");
    door = new FrontDoor("it-fdswitch", dir.resolve(".herd/frontdoor"), "haproxy");
    Server s1 = new Server("web-2-g1_31111", "127.0.0.1", 31111, 256);
    Server s2 = new Server("web-3-g1_31112", "127.0.0.1", 31112, 256);
    Server canary = new Server("web-1-g2_31113", "127.0.0.1", 31113, 57); // Traffic.split(10, 1, 2)
    door.reconcile(List.of(web(false, s1, s2, canary)), Instant.now());

    HttpClient client = HttpClient.newHttpClient();
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + DOOR + "/")).timeout(Duration.ofSeconds(5)).build();
    int canaryAnswers = 0;
    for (int i = 0; i < 2000; i++) {
      HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      canaryAnswers += r.body().equals("v2") ? 1 : 0;
    }
    System.out.printf("canary at 10%%: %d of 2000 requests (%.1f%%)%n", canaryAnswers, canaryAnswers / 20.0);
    assertThat(canaryAnswers).as("10%% ± 3%% of 2,000").isBetween(140, 260);

    door.reconcile(List.of(web(false, new Server("web-1-g2_31113", "127.0.0.1", 31113, 100))), Instant.now());
    for (int i = 0; i < 200; i++) {
      assertThat(client.send(req, HttpResponse.BodyHandlers.ofString()).body()).as("after promotion").isEqualTo("v2");
    }
  }

  @Test
  void aStickyClientStaysOnTheSideItFirstLandedOn() throws Exception {
    node(31121, "v1");
    node(31122, "v2");
    door = new FrontDoor("it-fdswitch", dir.resolve(".herd/frontdoor"), "haproxy");
    door.reconcile(List.of(web(true, Server.of("web-1-g1", "127.0.0.1", 31121), Server.of("web-1-g2", "127.0.0.1", 31122))),
        Instant.now());
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + DOOR + "/")).timeout(Duration.ofSeconds(5)).build();
    Map<String, Integer> firstSides = new ConcurrentHashMap<>();
    for (int c = 0; c < 20; c++) {
      HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
      String first = client.send(req, HttpResponse.BodyHandlers.ofString()).body();
      firstSides.merge(first, 1, Integer::sum);
      for (int i = 0; i < 10; i++) {
        assertThat(client.send(req, HttpResponse.BodyHandlers.ofString()).body()).as("client %d, request %d", c, i).isEqualTo(first);
      }
    }
    assertThat(firstSides).as("new clients land on both sides").containsKeys("v1", "v2");
  }
}
