package dev.herd.control.drift;

import dev.herd.control.state.NodePhase;
import dev.herd.control.state.NodeRecord;
import dev.herd.control.state.Release;
import dev.herd.control.state.ReleaseSpec;
import dev.herd.control.state.RoleRuntime;
import dev.herd.engine.Engine;
import dev.herd.engine.EnsuredImage;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeSpec;
import dev.herd.engine.docker.BusyboxImage;
import dev.herd.engine.docker.DockerApiEngine;
import dev.herd.engine.fake.FakeEngine;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Benchmark harness for bench/drift/run (not a test): the cost of one drift pass (list the
 * project's nodes, compare each with its release; writable-root nodes also ask the engine for
 * their filesystem diff) over N nodes.
 *
 * <pre>
 * DriftBench fake|podman STATE_DIR N ROUNDS   prints "ro MS" and "rw MS" lines, one per round (after 5 warm-up rounds)
 * </pre>
 */
public final class DriftBench {
  private DriftBench() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path state = Path.of(args[1]).toAbsolutePath();
    int n = Integer.parseInt(args[2]);
    int rounds = Integer.parseInt(args[3]);
    Files.createDirectories(state);
    if (mode.equals("fake")) {
      try (FakeEngine fake = new FakeEngine()) {
        String digest = "sha256:" + "1".repeat(64);
        fake.ensureImage(new dev.herd.engine.ImageSource(digest, dev.herd.engine.ImageSource.Format.OCI_ARCHIVE, o -> o.write(1)));
        run(fake, digest, n, rounds, fake.clock());
      }
    } else {
      try (DockerApiEngine engine = DockerApiEngine.connect(
          new DockerApiEngine.Options(state, state.resolve("secrets"), System.getenv(), null))) {
        EnsuredImage image = engine.ensureImage(BusyboxImage.get().source());
        try {
          run(engine, image.digest(), n, rounds, Clock.systemUTC());
        } finally {
          for (NodeInfo node : engine.listNodes("benchdrift")) {
            engine.removeNode(node.ref());
          }
        }
      }
    }
  }

  private static void run(Engine engine, String digest, int n, int rounds, Clock clock) throws Exception {
    for (boolean readOnly : new boolean[] {true, false}) {
      for (NodeInfo node : engine.listNodes("benchdrift")) {
        engine.removeNode(node.ref());
      }
      RoleRuntime rt = new RoleRuntime("web", List.of("/bin/busybox", "httpd", "-f", "-p", "127.0.0.1:${PORT}", "-h", "/www"),
          Map.of("GREETING", "hello"), readOnly, List.of("/scratch"), Optional.empty(), 0, 0);
      Release rel = new Release("web:v1", "web", 1, new ReleaseSpec(digest, 1, Map.of(), rt), Instant.EPOCH);
      List<NodeRecord> rows = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        int port = freePort();
        String name = "web-" + i + "-g1";
        NodeInfo info = engine.startNode(NodeSpec.builder().project("benchdrift").fleet("web").node(name).generation(1)
            .releaseId("web:v1").imageDigest(digest).port(port).env("GREETING", "hello").readOnlyRoot(readOnly)
            .writablePath("/scratch").command(rt.commandFor(port)).build());
        rows.add(new NodeRecord(name, "web", "web-" + i, i, 1, info.id(), "web:v1", port, NodePhase.HEALTHY,
            info.createdAt() == null ? Instant.EPOCH : info.createdAt(), info.startedAt(), info.startedAt(), "", null, ""));
      }
      DriftDetector detector = new DriftDetector(engine, clock, Duration.ZERO);
      int warmup = 5;
      for (int round = 1 - warmup; round <= rounds; round++) {
        long t0 = System.nanoTime();
        int findings = 0;
        Map<String, NodeInfo> byName = new java.util.HashMap<>();
        engine.listNodes("benchdrift").forEach(x -> byName.put(x.name(), x));
        for (NodeRecord r : rows) {
          findings += detector.inspect(r, byName.get(r.engineName()), rel).size();
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        if (findings != 0) {
          throw new IllegalStateException("clean nodes produced " + findings + " findings");
        }
        if (round > 0) { // the first rounds warm up the JIT
          System.out.printf("%s %.3f%n", readOnly ? "ro" : "rw", ms);
        }
      }
    }
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
