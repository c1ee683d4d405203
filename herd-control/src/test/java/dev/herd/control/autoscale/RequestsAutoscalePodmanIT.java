package dev.herd.control.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.control.Controller;
import dev.herd.control.ControllerConfig;
import dev.herd.control.ControllerEvent;
import dev.herd.control.DesiredState;
import dev.herd.control.NodeStatus;
import dev.herd.engine.docker.BusyboxImage;
import dev.herd.engine.docker.DockerApiEngine;
import dev.herd.spec.PortRange;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, real Podman and HAProxy: a fleet autoscaled on {@code requests_per_node: 20} gets a
 * bounded loopback load of ~100 GET/s through its front door and scales out to its max; when the
 * load stops it scales back in to its min after {@code scale_down_after}. Each decision is a
 * {@code scaled} event with the measured value and the target.
 */
class RequestsAutoscalePodmanIT {
  static final String PROJECT = "fdedgesscale";
  static final int DOOR = 22030;
  @TempDir Path state;

  @Test
  void loadThroughTheFrontDoorScalesOutAndItsEndScalesIn() throws Exception {
    BusyboxImage image = BusyboxImage.get();
    String yaml = """
        project: {name: fdedgesscale, ports: 22200-22299}
        roles:
          web:
            base: {scratch: {}}
            command: ["/bin/busybox", "httpd", "-f", "-p", "${HOST}:${PORT}", "-h", "/"]
            # ready once it listens: a node joins the front door only then (as an operator sets it)
            health: {tcp: {}, interval: 1s, timeout: 500ms, start_grace: 10s}
        environments:
          prod: {config: {GREETING: hello}}
        fleets:
          web:
            role: web
            environment: prod
            count: 1
            expose: {port: %d}
            autoscale: {min: 1, max: 3, target: {requests_per_node: 20}, scale_up_after: 5s, scale_down_after: 20s, interval: 5s}
        """.formatted(DOOR);
    Spec spec = SpecLoader.load(state.resolve("herd.yaml"), yaml.getBytes(StandardCharsets.UTF_8)).orThrow();
    try (DockerApiEngine engine = DockerApiEngine.connect(DockerApiEngine.Options.forState(state))) {
      ControllerConfig config = ControllerConfig.builder().stateDir(state).project(PROJECT).engine(engine)
          .images(d -> {
            if (!d.equals(image.digest())) {
              throw new NoSuchElementException(d);
            }
            return image.source();
          })
          .ports(new PortRange(22200, 22299))
          .frontDoor("haproxy")
          .build();
      Controller c = Controller.open(config);
      ScheduledExecutorService load = Executors.newScheduledThreadPool(4);
      try (Autoscaler scaler = new Autoscaler(c, config)) {
        c.start();
        c.apply(DesiredState.of(spec, Map.of("web", image.digest())));
        scaler.configure(spec);
        // in service behind the door, not only healthy: the door takes a node a moment after its
        // health check passes, and a request sent in between finds no server (HTTP 503)
        await().atMost(Duration.ofSeconds(60)).until(() -> c.status("web").nodes().stream().anyMatch(NodeStatus::inService));

        // ~100 GET/s on loopback, bounded by the timer (a slow answer never piles up more)
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        Instant started = Instant.now();
        load.scheduleAtFixedRate(() -> {
          Instant sent = Instant.now();
          try {
            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + DOOR + "/"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() < 500) {
              ok.incrementAndGet();
            } else {
              failed.incrementAndGet();
              failures.add("HTTP " + r.statusCode() + at(started, sent));
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the load stopping, not a failure
          } catch (Exception e) {
            failed.incrementAndGet();
            failures.add(e + at(started, sent));
          }
        }, 0, 10, TimeUnit.MILLISECONDS);
        Instant loaded = Instant.now();
        await().atMost(Duration.ofSeconds(120)).until(() -> c.status("web").count() == 3);
        List<ControllerEvent> out = scaled(c);
        assertThat(out).isNotEmpty().allSatisfy(e -> assertThat(e.reason())
            .matches("web scaled \\d → \\d: requests \\d+\\.\\d/s per node > target 20/s for 5s.*"));
        assertThat(c.traffic("web")).hasValueSatisfying(t -> assertThat(t.requests()).isPositive());
        assertThat(c.logs("web", "frontdoor", loaded, 10)).as("access lines kept with the fleet's logs").isNotEmpty()
            .allSatisfy(l -> assertThat(l.text()).startsWith("GET / HTTP/1.1 "));

        load.shutdown(); // requests in flight finish
        load.awaitTermination(10, TimeUnit.SECONDS);
        Instant quiet = Instant.now();
        await().atMost(Duration.ofSeconds(120)).until(() -> c.status("web").count() == 1);
        ControllerEvent in = scaled(c).getLast();
        assertThat(in.reason()).matches("web scaled 3 → 1: requests \\d+\\.\\d/s per node < target 20/s for 20s.*");
        assertThat(Duration.between(quiet, in.time())).as("not before scale_down_after").isGreaterThanOrEqualTo(Duration.ofSeconds(20));
        assertThat(failures).as("failed requests of %d", ok.get() + failed.get()).isEmpty();
      } finally {
        load.shutdownNow();
        c.down(Duration.ofSeconds(60));
      }
    }
  }

  /** When a request was sent, from the load's start: a failure's time tells which change it met. */
  private static String at(Instant start, Instant sent) {
    return " (sent at +" + Duration.between(start, sent).toMillis() + " ms)";
  }

  private static List<ControllerEvent> scaled(Controller c) {
    return c.events(0, 10_000).stream().filter(e -> e.kind().equals("scaled")).toList();
  }
}
