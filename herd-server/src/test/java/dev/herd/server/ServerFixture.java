package dev.herd.server;

import dev.herd.control.Controller;
import dev.herd.control.ControllerConfig;
import dev.herd.control.health.ProbeResult;
import dev.herd.engine.ImageSource;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.fake.FakeEngine;
import dev.herd.engine.fake.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A project dir with a herd.yaml, a controller on the fake engine in simulated time, and the
 * API server on a random loopback port. Tests drive time with {@link #settle} / {@link #until}.
 */
final class ServerFixture implements AutoCloseable {
  static final String PROJECT = "shop";
  static final String V1 = "sha256:" + "1".repeat(64);
  static final String V2 = "sha256:" + "2".repeat(64);

  final Path projectDir;
  final Path stateDir;
  final Path specFile;
  final ManualClock clock = new ManualClock();
  final FakeEngine fake = new FakeEngine(clock);
  final AtomicReference<String> image = new AtomicReference<>(V1);
  final AtomicReference<RuntimeException> imageFailure = new AtomicReference<>();
  final AtomicInteger downs = new AtomicInteger();
  /** When set, what the host's down throws (the engine gone). */
  final AtomicReference<RuntimeException> downFailure = new AtomicReference<>();
  final Controller controller;
  /** The image catalog revocation acts on; empty until a test registers images. */
  final dev.herd.image.catalog.Catalog catalog;
  final HerdServer server;
  final HttpClient http = HttpClient.newHttpClient();

  ServerFixture(Path dir) {
    this.projectDir = dir;
    this.stateDir = dir.resolve(".herd");
    this.specFile = dir.resolve("herd.yaml");
    writeSpec(3);
    controller = Controller.open(ControllerConfig.builder()
        .stateDir(stateDir)
        .project(PROJECT)
        .engine(fake)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, out -> out.write(d.getBytes(StandardCharsets.UTF_8))))
        .prober((target, check, timeout) -> fake.healthy(target.ref()) ? ProbeResult.ok("HTTP 200")
            : ProbeResult.fail("connection refused"))
        .portCheck(p -> true)
        .simulated(clock)
        .build());
    controller.start();
    controller.runPending();
    catalog = dev.herd.image.catalog.Catalog.open(stateDir.resolve("catalog.db"));
    RoleImages images = new RoleImages() {
      @Override
      public Map<String, String> imagesFor(dev.herd.spec.Spec spec) {
        RuntimeException f = imageFailure.get();
        if (f != null) {
          throw f;
        }
        return Map.of("web", image.get());
      }

      @Override
      public java.util.Optional<dev.herd.image.catalog.Catalog> catalog() {
        return java.util.Optional.of(catalog);
      }
    };
    SpecApplier applier = new SpecApplier(specFile, images, controller);
    try {
      server = HerdServer.start(HerdServer.Options.of(stateDir, PROJECT).withClock(clock), controller, applier, () -> {
        downs.incrementAndGet();
        RuntimeException f = downFailure.get();
        if (f != null) {
          throw f;
        }
        return "removed 0 nodes";
      });
    } catch (RuntimeException e) {
      controller.close();
      catalog.close();
      throw e;
    }
  }

  void writeSpec(int count) {
    write(specFile, spec(count));
  }

  static String spec(int count) {
    return """
        project:
          name: shop
          ports: 20000-20999
        roles:
          web:
            base: {scratch: {}}
            command: ["/srv/web", "--port", "${PORT}"]
            health:
              http: {path: /health, status: 200}
              interval: 1s
              timeout: 500ms
              start_grace: 2s
        environments:
          prod:
            config:
              GREETING: hello
        fleets:
          web:
            role: web
            environment: prod
            count: %d
            rollout:
              strategy: rolling
              max_surge: 1
              max_unavailable: 0
              min_healthy_time: 2s
              progress_deadline: 30s
        """.formatted(count);
  }

  static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String token() {
    try {
      return Files.readString(stateDir.resolve("api-token")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  URI url(String path) {
    return server.url().resolve(path);
  }

  HttpResponse<String> get(String path) {
    return send(request(path).GET().build());
  }

  /** A request to {@code path} with the API token, for headers of the test's own. */
  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(url(path)).header("Authorization", "Bearer " + token());
  }

  HttpResponse<String> post(String path, String json) {
    return send(HttpRequest.newBuilder(url(path)).header("Authorization", "Bearer " + token())
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  HttpResponse<String> send(HttpRequest req) {
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Advances simulated time a second at a time until {@code done} holds (at most {@code limit}). */
  void until(Duration limit, Predicate<ServerFixture> done) {
    for (long s = 0; s < limit.toSeconds(); s++) {
      if (done.test(this)) {
        return;
      }
      fake.advance(Duration.ofSeconds(1));
      controller.runPending();
    }
    if (!done.test(this)) {
      throw new AssertionError("not reached within " + limit + "; events: " + controller.events(0, 1000));
    }
  }

  /** Every fleet has {@code count} healthy nodes on one release and no rollout. */
  void settle(int count) {
    until(Duration.ofSeconds(120), f -> f.controller.status().stream().allMatch(s -> s.rollout().isEmpty()
        && s.healthy() == count && s.nodes().size() == count)
        && f.fake.listNodes(PROJECT).stream().filter(NodeInfo::running).count() == count);
  }

  @Override
  public void close() {
    server.close();
    controller.close();
    catalog.close();
  }
}
