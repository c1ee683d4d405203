package dev.herd.cli;

import com.sun.net.httpserver.HttpServer;
import dev.herd.server.api.ApiFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training run of the launcher's start-up cache (JDK 25 AOT cache, or an AppCDS archive on
 * JDK 21; see {@code ./herd}): runs every command's help, the everyday API clients (status,
 * events, config get/list) against a loopback stand-in for the controller, and a bake and no-op
 * rebake of a scratch role in a temporary project, so the classes they load (picocli's model,
 * Jackson, the HTTP client, spec, templates, image store) come from the cache, not the jar.
 * Output is discarded and failures do not matter: this only decides what the cache holds.
 */
public final class StartupTraining {
  private StartupTraining() {}

  /** Canned answers with the shapes the controller sends (unknown paths get a 404 reason). */
  private static final String STATUS = """
      {"project":"training","time":"2026-01-01T00:00:00Z","fleets":[{"name":"web","role":"web","count":1,\
      "spec_count":1,"release":"web:v1","last_good_release":null,"healthy":1,"deleted":false,"rollout":null,\
      "nodes":[{"name":"web-1","generation":1,"release":"web:v1","port":1,"state":"healthy","in_service":true,\
      "age_seconds":1,"created_at":"2026-01-01T00:00:00Z","healthy_since":"2026-01-01T00:00:00Z","reason":""}]}],\
      "immutability":{"web":"immutable (100/100)"}}""";
  private static final String EVENTS = """
      {"events":[{"id":1,"time":"2026-01-01T00:00:00Z","fleet":"web","node":"web-1","kind":"node_created",\
      "reason":"web-1 (gen 1) created"}]}""";
  private static final String VALUE = """
      {"key":"GREETING","value":"hello","source":"spec","revision":0}""";
  private static final String CONFIG = """
      {"environment":"dev","role":"web","revision":0,"values":[%s]}""".formatted(VALUE);

  private static final String PROJECT = """
      project: {name: training, ports: 20000-20009}
      roles:
        web:
          base: {scratch: {}}
          vars: {greeting: hello}
          resources:
            - file: /etc/motd
              content: "trained\\n"
            - template: /etc/app.conf
              source: app.conf.j2
          command: ["/bin/app"]
      """;

  /** With a directory argument, also writes the launcher's answers for {@code --help} and {@code --version} there. */
  public static void main(String[] args) throws IOException {
    if (args.length > 0) {
      writeAnswers(Path.of(args[0]));
    }
    train(Path.of(System.getProperty("java.io.tmpdir")));
  }

  /**
   * What {@code herd --help} prints without colour ({@code herd-help.txt}) and on a terminal
   * ({@code herd-help.ansi}), and what {@code herd --version} prints ({@code herd-version.txt}):
   * the launcher prints these files instead of starting a JVM (see {@code ./herd}). Written by the
   * command line itself, after every rebuild, so they are its output, never a copy kept by hand.
   */
  static void writeAnswers(Path dir) throws IOException {
    Files.createDirectories(dir);
    write(dir.resolve("herd-help.txt"), answer(false, "--help"));
    write(dir.resolve("herd-help.ansi"), answer(true, "--help"));
    write(dir.resolve("herd-version.txt"), answer(false, "--version"));
  }

  static String answer(boolean ansi, String option) {
    String before = System.getProperty("picocli.ansi");
    System.setProperty("picocli.ansi", Boolean.toString(ansi));
    try {
      java.io.StringWriter text = new java.io.StringWriter();
      PrintWriter out = new PrintWriter(text, true);
      int code = HerdCli.run(new String[] {option}, out, new PrintWriter(Writer.nullWriter()));
      if (code != HerdCli.OK) {
        throw new IllegalStateException("herd " + option + " exited with " + code);
      }
      return text.toString();
    } finally {
      if (before == null) {
        System.clearProperty("picocli.ansi");
      } else {
        System.setProperty("picocli.ansi", before);
      }
    }
  }

  private static void write(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Trains in a fresh directory under {@code parent} and removes it afterwards. */
  static void train(Path parent) throws IOException {
    Path state = Files.createTempDirectory(parent, "herd-training");
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      String body = path.equals("/v1/status") ? STATUS
          : path.equals("/v1/events") ? EVENTS
          : path.equals("/v1/config/dev/web") ? CONFIG
          : path.startsWith("/v1/config/dev/web/") ? VALUE
          : null;
      byte[] bytes = (body != null ? body : "{\"error\":\"not found\"}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(body != null ? 200 : 404, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
    try {
      ApiFiles.writeInfo(state, new ApiFiles.Info("http://127.0.0.1:" + server.getAddress().getPort(),
          ProcessHandle.current().pid(), "training", Instant.now()));
      ApiFiles.writePrivate(ApiFiles.token(state), "training".getBytes(StandardCharsets.US_ASCII));
      PrintWriter sink = new PrintWriter(Writer.nullWriter());
      String s = state.toString();
      List<String[]> runs = new ArrayList<>(List.of(
          new String[] {"--help"}, new String[] {"--version"},
          new String[] {"status", "--state", s}, new String[] {"status", "web", "--state", s},
          new String[] {"events", "--state", s},
          new String[] {"config", "get", "dev/web", "GREETING", "--state", s},
          new String[] {"config", "list", "dev/web", "--state", s}));
      // a no-op rebake (spec, template, image store, catalog) after a first bake of a scratch role
      Path project = Files.createDirectories(state.resolve("project"));
      Files.writeString(project.resolve("app.conf.j2"), "greeting={{ greeting }}\n");
      Files.writeString(project.resolve("herd.yaml"), PROJECT);
      String spec = project.resolve("herd.yaml").toString();
      runs.add(new String[] {"validate", spec});
      runs.add(new String[] {"bake", "web", "-f", spec});
      runs.add(new String[] {"bake", "web", "-f", spec});
      runs.add(new String[] {"images", "-f", spec});
      // an audit of a tiny tree with one package (its database, md5sums and a file)
      Path tree = state.resolve("tree");
      Files.createDirectories(tree.resolve("var/lib/dpkg/info"));
      Files.createDirectories(tree.resolve("etc"));
      Files.writeString(tree.resolve("etc/motd"), "trained\n");
      Files.writeString(tree.resolve("var/lib/dpkg/status"), """
          Package: motd
          Status: install ok installed
          Architecture: all
          Version: 1

          """);
      Files.writeString(tree.resolve("var/lib/dpkg/info/motd.md5sums"), "00000000000000000000000000000000  etc/motd\n");
      runs.add(new String[] {"audit", "web", "-f", spec, "--root", tree.toString()});
      for (String name : HerdCli.commandLine(sink, sink).getSubcommands().keySet()) {
        runs.add(new String[] {name, "--help"});
      }
      for (String[] run : runs) {
        try {
          HerdCli.run(run, sink, sink);
        } catch (RuntimeException ignored) {
          // training only: a failing command still loaded its classes
        }
      }
    } finally {
      server.stop(0);
      try (Stream<Path> files = Files.walk(state)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
