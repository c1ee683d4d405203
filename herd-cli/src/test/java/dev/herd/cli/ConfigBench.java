package dev.herd.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * bench/config/run: time from `herd config set` (on_config_change: reload) and from `herd flag
 * set` until every node of a 20-node fleet serves the new value (read over HTTP from inside the
 * nodes: /config.json and /flags.json are symlinks to /etc/herd). Commands run in-process, so JVM
 * start-up is not counted. Usage: ConfigBench WORKDIR OUT.md [NODES [CHANGES]]
 */
public final class ConfigBench {
  private ConfigBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Path out = Path.of(args[1]);
    int nodes = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int changes = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    Files.createDirectories(dir);
    // BENCH_PROJECT and BENCH_PORT_BASE keep runs of several people on one machine apart
    String project = System.getenv().getOrDefault("BENCH_PROJECT", "benchcfg");
    int base = Integer.parseInt(System.getenv().getOrDefault("BENCH_PORT_BASE", "28400"));
    Files.writeString(dir.resolve("herd.yaml"), """
        project:
          name: %s
          ports: %d-%d
        roles:
          web:
            base: {scratch: {}}
            command: ["/bin/busybox", "sh", "-c", "trap '' HUP; mkdir -p /tmp/www && ln -s /etc/herd/config.json /tmp/www/config.json && ln -s /etc/herd/flags.json /tmp/www/flags.json && /bin/busybox httpd -f -p $PORT -h /tmp/www & wait"]
            writable: [/tmp]
            reload: {signal: HUP}
            health:
              http: {path: /config.json, status: 200}
              interval: 2s
              timeout: 1s
              start_grace: 30s
        environments:
          dev:
            config:
              GREETING: start
        fleets:
          web:
            role: web
            environment: dev
            count: %d
            on_config_change: reload
        """.formatted(project, base, base + 199, nodes));
    UpDownIT.importBusybox(dir.resolve(".herd"));
    String file = dir.resolve("herd.yaml").toString();
    CompletableFuture<CliRun> up = CompletableFuture.supplyAsync(() -> CliRun.of("up", "--no-bake", dir.toString()));
    try {
      // the controller starts nodes one after another: allow 10 min per 50 nodes on a loaded machine
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10L * Math.max(1, (nodes + 49) / 50));
      while (!CliRun.of("status", "-f", file).out().contains("web:v1  " + nodes + "/" + nodes + " healthy")) {
        if (up.isDone() || System.nanoTime() > deadline) {
          throw new IllegalStateException("fleet not healthy: " + CliRun.of("status", "-f", file).out()
              + (up.isDone() ? up.get().err() : ""));
        }
        Thread.sleep(1000);
      }
      List<Integer> ports = CliRun.of("status", "-f", file).out().lines().filter(l -> l.trim().startsWith("web-"))
          .map(l -> Integer.parseInt(l.trim().split("\\s+")[4])).toList();
      String loadBefore = loadAverage();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      List<Double> config = new ArrayList<>();
      List<Double> flags = new ArrayList<>();
      for (int i = 1; i <= changes; i++) {
        String value = "v" + i + "-" + System.nanoTime();
        long t0 = System.nanoTime();
        CliRun set = CliRun.of("config", "set", "dev/web", "GREETING=" + value, "-f", file);
        if (set.exitCode() != 0) {
          throw new IllegalStateException(set.err());
        }
        awaitAll(http, ports, "/config.json", "\"GREETING\" : \"" + value + "\"");
        config.add((System.nanoTime() - t0) / 1e6);

        t0 = System.nanoTime();
        CliRun flag = CliRun.of("flag", "set", "dev", "bench", "--percent", Integer.toString(i % 2 == 0 ? 30 : 70), "-f", file);
        if (flag.exitCode() != 0) {
          throw new IllegalStateException(flag.err());
        }
        String revision = flag.out().replaceAll("(?s).*flag revision (\\d+).*", "$1").strip();
        awaitAll(http, ports, "/flags.json", "\"revision\" : " + revision + "\n");
        flags.add((System.nanoTime() - t0) / 1e6);
      }
      String table = """
          Time from the command (in-process, no JVM start) until all %d nodes serve the new value from
          /etc/herd over HTTP, %d changes each, real Podman, busybox httpd nodes (%s). Load average
          (1/5/15 min): %s at start, %s at end.

          | change | median ms | p99 ms | max ms |
          | --- | ---: | ---: | ---: |
          | `herd config set` (on_config_change: reload: re-render + SIGHUP) | %.1f | %.1f | %.1f |
          | `herd flag set` (flags.json re-rendered) | %.1f | %.1f | %.1f |

          %s
          """.formatted(nodes, changes, java.time.LocalDate.now(), loadBefore, loadAverage(),
          pct(config, 50), pct(config, 99), Collections.max(config),
          pct(flags, 50), pct(flags, 99), Collections.max(flags), reloadProfile(dir.resolve(".herd/herd.log"), changes));
      Files.writeString(out, table);
      System.out.println(table);
    } finally {
      CliRun.of("down", "-f", file);
      up.get(120, TimeUnit.SECONDS);
    }
  }

  private static void awaitAll(HttpClient http, List<Integer> ports, String path, String expected) throws Exception {
    List<Integer> left = new ArrayList<>(ports);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!left.isEmpty()) {
      left.removeIf(p -> serves(http, p, path, expected));
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(left.size() + " nodes never served " + expected);
      }
      if (!left.isEmpty()) {
        Thread.sleep(2);
      }
    }
  }

  private static boolean serves(HttpClient http, int port, String path, String expected) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return r.body().contains(expected);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static final java.util.regex.Pattern RELOADED = java.util.regex.Pattern.compile(
      "reloaded: .* in (\\d+) ms \\(config and lock (\\d+) ms, files (\\d+) ms, signals (\\d+) ms\\)");

  /** Where herd's own part of each reload went, from the controller's log lines (medians, and the p99 of the total). */
  static String reloadProfile(Path herdLog, int changes) throws IOException {
    List<double[]> rows = new ArrayList<>();
    for (String line : Files.readAllLines(herdLog)) {
      java.util.regex.Matcher m = RELOADED.matcher(line);
      if (m.find()) {
        rows.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
            Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))});
      }
    }
    if (rows.isEmpty()) {
      return "No reload line in the controller's log.";
    }
    List<double[]> last = rows.subList(Math.max(0, rows.size() - changes), rows.size());
    java.util.function.IntFunction<List<Double>> col = i -> last.stream().map(r -> r[i]).toList();
    return ("Of a `config set`, herd's reload itself (controller log, %d reloads): median %.0f ms, p99 %.0f ms; medians of"
        + " its parts: config read and lock %.0f ms, node files %.0f ms, signals %.0f ms. The rest is the API call, the"
        + " config store's commit and the nodes' HTTP answers.").formatted(last.size(), pct(col.apply(0), 50),
        pct(col.apply(0), 99), pct(col.apply(1), 50), pct(col.apply(2), 50), pct(col.apply(3), 50));
  }

  /** The machine's load average (1/5/15 min), as the kernel reports it. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** Nearest-rank percentile. */
  static double pct(List<Double> values, int p) {
    List<Double> s = new ArrayList<>(values);
    Collections.sort(s);
    int rank = (int) Math.ceil(p / 100.0 * s.size());
    return s.get(Math.max(0, rank - 1));
  }
}
