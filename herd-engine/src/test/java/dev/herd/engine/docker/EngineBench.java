package dev.herd.engine.docker;

import dev.herd.engine.EnsuredImage;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark harness for bench/engine/run (not a test): create + start + first successful HTTP
 * probe through herd's engine layer, for a batch of N nodes started together.
 *
 * <pre>
 * EngineBench prepare STATE_DIR            ensure the busybox image; print its engine ref
 * EngineBench run STATE_DIR N ROUNDS OUT   append one line per node (ms from batch start to first 200) to OUT,
 *                                          and one line per round to OUT.batch
 * </pre>
 */
public final class EngineBench {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  private EngineBench() {}

  public static void main(String[] args) throws Exception {
    Path state = Path.of(args[1]).toAbsolutePath();
    Files.createDirectories(state);
    try (DockerApiEngine engine = DockerApiEngine.connect(
        new DockerApiEngine.Options(state, state.resolve("secrets"), System.getenv(), null))) {
      EnsuredImage image = engine.ensureImage(BusyboxImage.get().source());
      if (args[0].equals("prepare")) {
        System.out.println(image.engineRef());
        return;
      }
      int nodes = Integer.parseInt(args[2]);
      int rounds = Integer.parseInt(args[3]);
      Path out = Path.of(args[4]);
      for (int round = 0; round <= rounds; round++) {
        boolean warmup = round == 0;
        List<Long> perNode = batch(engine, image, nodes);
        long batch = perNode.stream().mapToLong(Long::longValue).max().orElseThrow();
        if (!warmup) {
          StringBuilder sb = new StringBuilder();
          perNode.forEach(ms -> sb.append(ms).append('\n'));
          Files.writeString(out, sb, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
          Files.writeString(Path.of(out + ".batch"), batch + "\n",
              java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
        System.err.printf("herd engine: %d node(s)%s: all serving after %d ms%n", nodes, warmup ? " (warm-up)" : "", batch);
        for (NodeInfo n : engine.listNodes("bench")) {
          engine.removeNode(n.ref());
        }
      }
    }
  }

  private static List<Long> batch(DockerApiEngine engine, EnsuredImage image, int nodes) throws Exception {
    List<NodeSpec> specs = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      specs.add(NodeSpec.builder().project("bench").fleet("web").node("web-" + i).releaseId("bench")
          .imageDigest(image.digest()).port(Podman.freePort()).writablePath("/scratch")
          .command("/bin/busybox", "sh", "-c", "exec /bin/busybox httpd -f -p 127.0.0.1:$PORT -h /www").build());
    }
    long t0 = System.nanoTime();
    List<Future<Long>> done = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (NodeSpec s : specs) {
        done.add(pool.submit(() -> {
          engine.startNode(s);
          probe(s.port());
          return (System.nanoTime() - t0) / 1_000_000;
        }));
      }
      List<Long> ms = new ArrayList<>();
      for (Future<Long> f : done) {
        ms.add(f.get());
      }
      return ms;
    }
  }

  private static void probe(int port) throws InterruptedException {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
        .timeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (HTTP.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("node on port " + port + " never answered");
  }
}
