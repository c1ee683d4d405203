package dev.herd.control.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.herd.control.FleetTraffic;
import dev.herd.spec.Fleet;
import dev.herd.spec.Location;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, real HAProxy: the front door's counters ({@code show stat}) and its access log (the
 * ring herd follows on the Runtime API) say what went through it, per fleet. The node is an HTTP
 * server in this JVM answering 200 on /, 404 on /missing and 500 on /boom.
 */
class FrontDoorTrafficIT {
  static final int DOOR = 22020;
  static final int NODE = 22021;

  @TempDir Path dir;
  FrontDoor door;
  HttpServer node;
  AccessLogFollower follower;

  @AfterEach
  void stop() throws Exception {
    if (follower != null) {
      follower.close();
    }
    if (door != null) {
      door.stop();
    }
    if (node != null) {
      node.stop(0);
    }
  }

  @Test
  void countersAndTheAccessLogSayWhatWentThroughTheFrontDoor() throws Exception {
    node = HttpServer.create(new InetSocketAddress("127.0.0.1", NODE), 64);
    node.createContext("/", ex -> {
      int status = switch (ex.getRequestURI().getPath()) {
        case "/" -> 200;
        case "/boom" -> 500;
        default -> 404;
      };
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    node.start();
    Location at = Location.start(Path.of("herd.yaml"));
    Backend web = new Backend("web", new Fleet.Expose(DOOR, "127.0.0.1", Fleet.Protocol.HTTP, Duration.ofSeconds(30), 0, at, at),
        List.of(Server.of("web-1", "127.0.0.1", NODE)));
    door = new FrontDoor("fdedgestraffic", dir.resolve("frontdoor"), "haproxy");
    door.reconcile(List.of(web), Instant.now());
    assertThat(Files.readString(door.config())).contains("ring herd-access", "log ring@herd-access");

    List<AccessLogEntry> logged = new CopyOnWriteArrayList<>();
    TrafficMeter meter = new TrafficMeter();
    follower = new AccessLogFollower(door.api().socket(), e -> {
      logged.add(e);
      meter.record(e);
    }).start();
    meter.sample(door.counters(), Instant.now());

    HttpClient client = HttpClient.newHttpClient();
    // the follower starts at the ring's end: wait until it reads (a request it sees is logged)
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + DOOR + "/warmup")).build(), HttpResponse.BodyHandlers.discarding());
      return !logged.isEmpty();
    });
    int before = logged.size();
    StatCounters start = door.counters().get("web");
    for (int i = 0; i < 40; i++) {
      String path = i < 30 ? "/" : i < 38 ? "/missing" : "/boom";
      client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + DOOR + path)).build(), HttpResponse.BodyHandlers.discarding());
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> logged.size() >= before + 40);

    StatCounters end = door.counters().get("web");
    assertThat(end.requests() - start.requests()).isEqualTo(40);
    assertThat(end.responses(2) - start.responses(2)).isEqualTo(30);
    assertThat(end.responses(4) - start.responses(4)).isEqualTo(8);
    assertThat(end.responses(5) - start.responses(5)).isEqualTo(2);

    List<AccessLogEntry> mine = logged.subList(before, before + 40);
    assertThat(mine).allSatisfy(e -> {
      assertThat(e.fleet()).isEqualTo("web");
      assertThat(e.server()).isEqualTo("web-1_" + NODE);
    });
    assertThat(mine).filteredOn(e -> e.status() == 200).hasSize(30);
    assertThat(mine).filteredOn(AccessLogEntry::failed).extracting(AccessLogEntry::text).hasSize(2)
        .allMatch(l -> l.matches("GET /boom HTTP/1\\.1 500 web-1_" + NODE + " \\d+ms \\d+B ----"), "GET /boom ... 500 ...");

    meter.sample(door.counters(), Instant.now());
    FleetTraffic t = meter.traffic("web", Instant.now()).orElseThrow();
    assertThat(t.windowFailed()).isEqualTo(2);
    assertThat(t.p99Ms()).isPresent();
    assertThat(t.responses5xx()).isEqualTo(end.responses(5));
  }
}
