package dev.herd.control.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.herd.spec.Fleet;
import dev.herd.spec.Location;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The front door with the real HAProxy (no engine: the nodes are HTTP servers in this JVM):
 * under a constant load through it, a rolling replacement, a node killed under load and a
 * controller that loses its memory (a new FrontDoor adopting the running HAProxy) fail no request.
 */
class FrontDoorHaproxyIT {
  static final int DOOR = 29080;

  @TempDir Path dir;
  FrontDoor door;
  final Map<Integer, HttpServer> nodes = new ConcurrentHashMap<>();

  HttpServer node(int port, String release) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    s.createContext("/", ex -> {
      byte[] body = release.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    s.setExecutor(Executors.newFixedThreadPool(4));
    s.start();
    nodes.put(port, s);
    return s;
  }

  static Backend web(Server... servers) {
    return web(Fleet.Protocol.HTTP, 0, servers);
  }

  static Backend web(Fleet.Protocol protocol, int maxConnections, Server... servers) {
    Location at = Location.start(Path.of("herd.yaml"));
    return new Backend("web", new Fleet.Expose(DOOR, "127.0.0.1", protocol, Duration.ofSeconds(30), maxConnections, at, at),
        List.of(servers));
  }

  @AfterEach
  void stop() throws IOException {
    if (door != null) {
      door.stop();
    }
    nodes.values().forEach(s -> s.stop(0));
  }

  /** A few hundred GETs a second through the front door, counting answers by body and failures. */
  static final class Load implements AutoCloseable {
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    final ScheduledExecutorService timer = Executors.newScheduledThreadPool(4);
    final Map<String, AtomicInteger> byRelease = new ConcurrentHashMap<>();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger done = new AtomicInteger();
    final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();

    Load start() {
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + DOOR + "/")).timeout(Duration.ofSeconds(5)).build();
      timer.scheduleAtFixedRate(() -> {
        try {
          HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() / 100 == 2) {
            byRelease.computeIfAbsent(r.body(), k -> new AtomicInteger()).incrementAndGet();
          } else {
            failed.incrementAndGet();
            failures.add("HTTP " + r.statusCode());
          }
        } catch (Exception e) {
          failed.incrementAndGet();
          failures.add(e.toString());
        }
        done.incrementAndGet();
      }, 0, 4, TimeUnit.MILLISECONDS);
      return this;
    }

    int served(String release) {
      return byRelease.getOrDefault(release, new AtomicInteger()).get();
    }

    @Override
    public void close() throws InterruptedException {
      timer.shutdown();
      timer.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aConnectionLimitHoldsExtraRequestsInTheDoorAndChangesInPlaceAndAModeChangeReloads() throws Exception {
    // a node that holds every request until released, counting how many it holds at once
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    HttpServer slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 29111), 64);
    slow.createContext("/", ex -> {
      mostAtOnce.accumulateAndGet(holding.incrementAndGet(), Math::max);
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      holding.decrementAndGet();
      byte[] body = "v1".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    slow.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    slow.start();
    nodes.put(29111, slow);
    Server a = Server.of("web-1", "127.0.0.1", 29111);
    door = new FrontDoor("it-frontdoor", dir.resolve(".herd/frontdoor"), "haproxy");
    door.reconcile(List.of(web(Fleet.Protocol.HTTP, 2, a)), Instant.now());
    assertThat(door.api().servers("fleet_web")).extracting(RuntimeApi.ServerState::limit).containsExactly(2);
    assertThat(Files.readString(door.config())).contains("server " + a.name() + " 127.0.0.1:29111 weight 100 maxconn 2");

    // five requests at once: two reach the node, three wait in the door's queue; all are answered
    HttpClient client = HttpClient.newHttpClient();
    List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> sent = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sent.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + DOOR + "/")).timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> queued(door) == 3 && holding.get() == 2);
    release.countDown();
    for (var f : sent) {
      assertThat(f.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    assertThat(mostAtOnce.get()).as("connections the node had at once").isEqualTo(2);

    // the limit changes on the running server, and comes off (0: none), without a reload
    long pid = door.running().orElseThrow();
    door.reconcile(List.of(web(Fleet.Protocol.HTTP, 7, a)), Instant.now());
    assertThat(door.api().servers("fleet_web")).extracting(RuntimeApi.ServerState::limit).containsExactly(7);
    door.reconcile(List.of(web(Fleet.Protocol.HTTP, 0, a)), Instant.now());
    assertThat(door.api().servers("fleet_web")).extracting(RuntimeApi.ServerState::limit).containsExactly(0);
    assertThat(Files.readString(door.config())).doesNotContain("maxconn");

    // http → tcp: the frontend's mode is in the file only, so herd reloads HAProxy with it (a
    // new worker under the same master)
    String worker = workerPid(door);
    door.reconcile(List.of(web(Fleet.Protocol.TCP, 0, a)), Instant.now());
    assertThat(door.running()).contains(pid);
    assertThat(Files.readString(door.config())).contains("frontend fleet_web\n  mode tcp\n");
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> !workerPid(door).equals(worker));
    assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + DOOR + "/")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("v1");
  }

  /** The pid of the worker answering on the Runtime API ({@code show info}). */
  private static String workerPid(FrontDoor door) throws IOException {
    return door.api().send("show info").lines().filter(l -> l.startsWith("Pid: ")).findFirst().orElseThrow();
  }

  /** Requests waiting in fleet web's backend queue ({@code qcur}). */
  private static int queued(FrontDoor door) throws IOException {
    List<String> lines = door.api().send("show stat").lines().toList();
    List<String> header = List.of(lines.get(0).substring(2).split(","));
    return lines.stream().filter(l -> l.startsWith("fleet_web,BACKEND,")).map(l -> l.split(",", -1)[header.indexOf("qcur")])
        .mapToInt(v -> v.isEmpty() ? 0 : Integer.parseInt(v)).sum();
  }

  @Test
  void rollingReplacementNodeKillAndAdoptionFailNoRequest() throws Exception {
    node(29101, "v1");
    node(29102, "v1");
    door = new FrontDoor("it-frontdoor", dir.resolve(".herd/frontdoor"), "haproxy");
    Server a = Server.of("web-1", "127.0.0.1", 29101);
    Server b = Server.of("web-2", "127.0.0.1", 29102);
    door.reconcile(List.of(web(a, b)), Instant.now());
    long pid = door.running().orElseThrow();
    assertThat(door.serving("web")).as("what status may call in service").containsExactlyInAnyOrder(a.name(), b.name());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(door.config()))).isEqualTo("rw-------");

    try (Load load = new Load().start()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> load.served("v1") > 200);

      // Rolling update: v2 nodes come in, the v1 nodes drain and go; then the v1 processes end.
      node(29103, "v2");
      node(29104, "v2");
      Server c = Server.of("web-1", "127.0.0.1", 29103);
      Server d = Server.of("web-2", "127.0.0.1", 29104);
      door.reconcile(List.of(web(c, d)), Instant.now());
      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
        door.reconcile(List.of(web(c, d)), Instant.now());
        assertThat(door.api().servers("fleet_web")).extracting(RuntimeApi.ServerState::name).containsExactlyInAnyOrder(c.name(), d.name());
      });
      nodes.remove(29101).stop(0);
      nodes.remove(29102).stop(0);
      int v2Before = load.served("v2");
      await().atMost(Duration.ofSeconds(10)).until(() -> load.served("v2") > v2Before + 200);
      int v1AfterSwitch = load.served("v1");

      // A node dies under load (no drain): its requests are retried on the other server.
      nodes.remove(29103).stop(0);
      int afterKill = load.done.get();
      await().atMost(Duration.ofSeconds(10)).until(() -> load.done.get() > afterKill + 300);

      // The controller loses its memory (SIGKILL + restart): a new FrontDoor adopts the running HAProxy.
      door = new FrontDoor("it-frontdoor", dir.resolve(".herd/frontdoor"), "haproxy");
      assertThat(door.running()).contains(pid);
      assertThat(door.serving("web")).as("nothing is called served before this process has reconciled").isEmpty();
      node(29105, "v2");
      Server e = Server.of("web-1", "127.0.0.1", 29105);
      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
        door.reconcile(List.of(web(e, d)), Instant.now());
        assertThat(door.api().servers("fleet_web")).extracting(RuntimeApi.ServerState::name).containsExactlyInAnyOrder(e.name(), d.name());
      });
      assertThat(door.running()).as("adopted, not restarted").contains(pid);
      assertThat(door.serving("web")).containsExactlyInAnyOrder(e.name(), d.name());
      int afterAdopt = load.done.get();
      await().atMost(Duration.ofSeconds(10)).until(() -> load.done.get() > afterAdopt + 200);
      load.close();

      assertThat(load.failures).as("failed requests").isEmpty();
      assertThat(load.served("v1")).as("v1 served nothing after the switch").isEqualTo(v1AfterSwitch);
      assertThat(load.served("v1") + load.served("v2")).as("every request answered by v1 or v2").isEqualTo(load.done.get());
      // The file holds what HAProxy serves, so a restart of HAProxy comes back with the same set.
      assertThat(Files.readString(door.config())).contains("server " + e.name() + " 127.0.0.1:29105", "server " + d.name() + " 127.0.0.1:29104")
          // (the servers' addresses, not bare port numbers: a temp directory's name may hold those digits)
          .doesNotContain("127.0.0.1:29101", "127.0.0.1:29102");
    }

    assertThat(door.stop()).isTrue();
    assertThat(door.serving("web")).isEmpty();
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", DOOR));
    }
  }
}
