package dev.herd.control;

import dev.herd.engine.NodeInfo;
import dev.herd.engine.VolumeInfo;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Benchmark harness for bench/stateful/run (not a test): a fleet of one node with a volume on
 * real Podman under a real controller (HTTP health checks); each round kills the node's
 * container (podman kill) and measures until the replacement, on the same volume, answers
 * HTTP 200 and the controller counts it healthy.
 *
 * <pre>StatefulBench STATE_DIR ROUNDS OUT   one line per round (ms) appended to OUT</pre>
 */
public final class StatefulBench {
  static final String PROJECT = "statebench";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(300)).build();

  private StatefulBench() {}

  public static void main(String[] args) throws Exception {
    Path state = Path.of(args[0]).toAbsolutePath();
    int rounds = Integer.parseInt(args[1]);
    Path out = Path.of(args[2]);
    Files.createDirectories(state);
    BusyboxImage image = BusyboxImage.get();
    String yaml = """
        project: {name: statebench, ports: 24400-24499}
        roles:
          db:
            base: {scratch: {}}
            command: ["/bin/busybox", "sh", "-c", "[ -f /data/born ] || /bin/busybox date > /data/born; exec /bin/busybox httpd -f -p 127.0.0.1:${PORT} -h /data"]
            health:
              http: {path: /born}
              interval: 1s
              timeout: 500ms
              start_grace: 2s
              failure_threshold: 3
        environments:
          prod: {}
        fleets:
          db:
            role: db
            environment: prod
            volumes:
              data: {path: /data}
            rollout: {min_healthy_time: 0s}
        """;
    Spec spec = SpecLoader.load(state.resolve("herd.yaml"), yaml.getBytes(StandardCharsets.UTF_8)).orThrow();
    try (DockerApiEngine engine = DockerApiEngine.connect(DockerApiEngine.Options.forState(state))) {
      Files.writeString(state.resolve("bench-image"), engine.ensureImage(image.source()).engineRef());
      try (Controller c = Controller.open(ControllerConfig.builder().stateDir(state).project(PROJECT).engine(engine)
          .images(d -> {
            if (!d.equals(image.digest())) {
              throw new NoSuchElementException(d);
            }
            return image.source();
          })
          .ports(new PortRange(24400, 24499))
          .build())) {
        c.start();
        c.apply(DesiredState.of(spec, Map.of("db", image.digest())));
        waitHealthy(c, engine, 1);
        for (int round = 0; round <= rounds; round++) {
          NodeInfo node = engine.listNodes(PROJECT).getFirst();
          long t0 = System.nanoTime();
          new ProcessBuilder("podman", "kill", node.ref().containerName()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.INHERIT).start().waitFor();
          waitHealthy(c, engine, node.generation() + 1);
          long ms = (System.nanoTime() - t0) / 1_000_000;
          if (round > 0) {
            Files.writeString(out, ms + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
          }
          System.err.printf("herd: node killed → replacement healthy on its volume after %d ms%s%n", ms, round == 0 ? " (warm-up)" : "");
        }
      } finally {
        for (NodeInfo n : engine.listNodes(PROJECT)) {
          engine.removeNode(n.ref());
        }
        for (VolumeInfo v : engine.listVolumes(PROJECT)) {
          engine.removeVolume(PROJECT, v.name());
        }
      }
    }
  }

  /**
   * Until the controller counts generation {@code gen} (or a later one) healthy and it answers 200
   * with the volume's file.
   */
  private static void waitHealthy(Controller c, DockerApiEngine engine, long gen) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      var nodes = c.status("db").nodes();
      if (nodes.size() == 1 && nodes.getFirst().generation() >= gen && nodes.getFirst().phase() == NodeStatus.Phase.HEALTHY
          && serves(nodes.getFirst().port())) {
        return;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("generation " + gen + " was not healthy within 2 minutes");
  }

  static boolean serves(int port) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/born")).timeout(Duration.ofMillis(500)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }
}
