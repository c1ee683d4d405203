package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.ControllerConfig;
import dev.herd.control.health.ProbeResult;
import dev.herd.engine.ImageSource;
import dev.herd.engine.fake.FakeEngine;
import dev.herd.engine.fake.ManualClock;
import dev.herd.server.ControllerHost;
import dev.herd.server.ControllerLock;
import dev.herd.server.HerdServer;
import dev.herd.server.api.ApiFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The thin-client commands against an in-process controller on the fake engine. */
class ApiCommandsTest {
  static final String DIGEST = "sha256:" + "1".repeat(64);
  static final String SPEC = """
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
        prod: {}
      fleets:
        web:
          role: web
          environment: prod
          count: 3
      """;

  @TempDir Path dir;
  final ManualClock clock = new ManualClock();
  final FakeEngine fake = new FakeEngine(clock);

  ControllerHost startHost() throws IOException {
    Files.writeString(dir.resolve("herd.yaml"), SPEC);
    Path state = dir.resolve(".herd");
    ControllerConfig config = ControllerConfig.builder().stateDir(state).project("shop").engine(fake)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, out -> out.write(d.getBytes(StandardCharsets.UTF_8))))
        .prober((t, c, timeout) -> fake.healthy(t.ref()) ? ProbeResult.ok("HTTP 200") : ProbeResult.fail("refused"))
        .portCheck(p -> true).simulated(clock).build();
    return ControllerHost.start(ControllerLock.acquire(state), config, dir.resolve("herd.yaml"), spec -> Map.of("web", DIGEST),
        HerdServer.Options.of(state, "shop").withClock(clock), null);
  }

  @Test
  void revokeWithARunningControllerRollsTheFleetOrRefusesToStrandIt() throws Exception {
    Files.writeString(dir.resolve("herd.yaml"), SPEC);
    Path state = dir.resolve(".herd");
    String v2 = "sha256:" + "2".repeat(64);
    try (dev.herd.image.Images images = dev.herd.image.Images.open(state)) {
      for (String d : java.util.List.of(DIGEST, v2)) {
        images.catalog().register("web", dev.herd.image.oci.Digest.parse(d), 10, new dev.herd.image.catalog.Lineage("sha256:s", "", ""));
      }
      ControllerConfig config = ControllerConfig.builder().stateDir(state).project("shop").engine(fake)
          .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, out -> out.write(d.getBytes(StandardCharsets.UTF_8))))
          .prober((t, c, timeout) -> fake.healthy(t.ref()) ? ProbeResult.ok("HTTP 200") : ProbeResult.fail("refused"))
          .portCheck(p -> true).simulated(clock).build();
      dev.herd.server.RoleImages roleImages = new dev.herd.server.RoleImages() {
        @Override
        public Map<String, String> imagesFor(dev.herd.spec.Spec spec) {
          return Map.of("web", v2);
        }

        @Override
        public java.util.Optional<dev.herd.image.catalog.Catalog> catalog() {
          return java.util.Optional.of(images.catalog());
        }
      };
      try (ControllerHost host = ControllerHost.start(ControllerLock.acquire(state), config, dir.resolve("herd.yaml"), roleImages,
          HerdServer.Options.of(state, "shop").withClock(clock), null)) {
        assertThat(CliRun.of("apply", "-f", file()).exitCode()).isZero();
        settle(host, 3);

        CliRun revoke = CliRun.of("revoke", "web:2", "--reason", "CVE-2026-1", "-f", file());
        assertThat(revoke.exitCode()).as(revoke.err()).isZero();
        assertThat(revoke.out()).contains("revoked web:2: CVE-2026-1",
            "fleet web: web:2 revoked (CVE-2026-1): rolling to web:1, the newest image its selector (latest) allows");
        settle(host, 3);
        assertThat(host.controller().status("web").currentRelease()).isEqualTo("web:v2");

        // web:1 is all that is left: revoking it would strand the fleet
        CliRun strand = CliRun.of("revoke", "web:1", "--reason", "old", "-f", file());
        assertThat(strand.exitCode()).isEqualTo(HerdCli.FAILED);
        assertThat(strand.err()).contains("web:1 is in use by fleet web (image: latest)", "nothing was revoked", "--force")
            .doesNotContain("Exception");
        assertThat(images.catalog().find(dev.herd.image.catalog.ImageRef.parse("web:1")).revoked()).isFalse();
        CliRun forced = CliRun.of("revoke", "web:1", "--reason", "old", "--force", "-f", file());
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(forced.out()).contains("holding on it");
        assertThat(CliRun.of("events", "-f", file()).out()).contains("web:1 revoked (old) with --force: holding on it");
      }
    }
  }

  void settle(ControllerHost host, int healthy) {
    for (int i = 0; i < 120 && host.controller().status("web").healthy() != healthy; i++) {
      fake.advance(Duration.ofSeconds(1));
      host.controller().runPending();
    }
    for (int i = 0; i < 30 && host.controller().status("web").rollout().isPresent(); i++) {
      fake.advance(Duration.ofSeconds(1));
      host.controller().runPending();
    }
  }

  String file() {
    return dir.resolve("herd.yaml").toString();
  }

  @Test
  void applyStatusScaleEventsAndDownAgainstARunningController() throws Exception {
    try (ControllerHost host = startHost()) {
      CliRun apply = CliRun.of("apply", "-f", file());
      assertThat(apply.exitCode()).as(apply.err()).isZero();
      assertThat(apply.out()).contains("+ web: create on web:v1").contains("create 3 nodes on web:v1");
      settle(host, 3);

      CliRun status = CliRun.of("status", "-f", file());
      assertThat(status.exitCode()).as(status.err()).isZero();
      assertThat(status.out()).contains("web  web:v1  3/3 healthy").contains("NODE").contains("web-1").contains("web-3")
          .contains("healthy");

      CliRun plan = CliRun.of("plan", "-f", file());
      assertThat(plan.out()).contains("web: unchanged (web:v1)").contains("nothing would change");

      CliRun scale = CliRun.of("scale", "web", "4", "-f", file());
      assertThat(scale.exitCode()).as(scale.err()).isZero();
      assertThat(scale.out()).contains("fleet web scaled to 4");
      settle(host, 4);
      assertThat(CliRun.of("status", "web", "-f", file()).out()).contains("4/4 healthy (scaled; herd.yaml says 3)");

      CliRun unknown = CliRun.of("scale", "db", "2", "-f", file());
      assertThat(unknown.exitCode()).isEqualTo(HerdCli.FAILED);
      assertThat(unknown.err()).contains("herd: no fleet db").doesNotContain("Exception");
      CliRun negative = CliRun.of("scale", "web", "-1", "-f", file());
      assertThat(negative.exitCode()).isEqualTo(HerdCli.USAGE);
      assertThat(negative.err()).contains("count must be between 0 and");
      CliRun noRollout = CliRun.of("rollout", "pause", "web", "-f", file());
      assertThat(noRollout.exitCode()).isEqualTo(HerdCli.FAILED);
      assertThat(noRollout.err()).contains("no rollout in progress");
      assertThat(CliRun.of("rollout", "explode", "web", "-f", file()).exitCode()).isEqualTo(HerdCli.USAGE);

      CliRun events = CliRun.of("events", "--since", "1h", "-f", file());
      assertThat(events.exitCode()).as(events.err()).isZero();
      assertThat(events.out()).contains("fleet web created").contains("scaled from 3 to 4");

      CliRun down = CliRun.of("down", "-f", file());
      assertThat(down.exitCode()).as(down.err()).isZero();
      assertThat(down.out()).contains("removed 4 nodes");
      assertThat(host.server().stopRequested().get(5, TimeUnit.SECONDS)).contains("removed 4 nodes");
      assertThat(fake.listNodes("shop")).isEmpty();
    }
    CliRun after = CliRun.of("status", "-f", file());
    assertThat(after.exitCode()).isEqualTo(HerdCli.ENVIRONMENT);
  }

  /** What the launcher's quick client prints for its commands is what the full CLI prints, byte for byte. */
  @Test
  void theQuickClientPrintsWhatTheFullCliPrintsAndLeavesTheRestToIt() throws Exception {
    try (ControllerHost host = startHost()) {
      assertThat(CliRun.of("apply", "-f", file()).exitCode()).isZero();
      settle(host, 3);
      assertThat(CliRun.of("scale", "web", "4", "-f", file()).exitCode()).isZero();
      settle(host, 4);
      assertThat(CliRun.of("config", "set", "prod/web", "GREETING=grüß dich", "-f", file()).exitCode()).isZero();
      settle(host, 4);
      for (List<String> args : List.of(List.of("status"), List.of("status", "web"), List.of("events"),
          List.of("events", "--since", "2h"), List.of("events", "--since=30m"), List.of("config", "get", "prod/web", "GREETING"))) {
        List<String> withFile = new java.util.ArrayList<>(args);
        withFile.addAll(List.of("--file", file()));
        CliRun full = CliRun.of(withFile.toArray(String[]::new));
        assertThat(full.exitCode()).as(full.err()).isZero();
        assertThat(quick(withFile)).as(String.join(" ", args)).isEqualTo(full.out());
        // and from the project directory, as an operator types it
        assertThat(quick(args)).as(String.join(" ", args) + " in the project directory").isEqualTo(full.out());
      }
      assertThat(quick(List.of("config", "get", "prod/web", "GREETING"))).isEqualTo("grüß dich" + System.lineSeparator());
      for (List<String> other : List.<List<String>>of(List.of("status", "--json"), List.of("status", "db"), List.of("status", "web", "web"),
          List.of("events", "--follow"), List.of("events", "-F"), List.of("status", "-h"), List.of("status", "--since", "1h"),
          List.of("config", "get", "prod/web", "NOPE"), List.of("config", "list", "prod/web"), List.of("config", "get", "prod", "K"),
          List.of("events", "--state"), List.of("scale", "web", "2"), List.of("bake"), List.of())) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        assertThat(dev.herd.cli.quick.QuickCli.run(other.toArray(String[]::new), new java.io.PrintStream(out, true,
            StandardCharsets.UTF_8), new java.io.PrintStream(out), dir)).as(other.toString()).isEqualTo(dev.herd.cli.quick.QuickCli.NOT_HANDLED);
        assertThat(out.size()).as("nothing printed before the full CLI takes over: " + other).isZero();
      }
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    assertThat(dev.herd.cli.quick.QuickCli.run(new String[] {"status"}, new java.io.PrintStream(out), new java.io.PrintStream(out), dir))
        .as("no controller: the full CLI says so").isEqualTo(dev.herd.cli.quick.QuickCli.NOT_HANDLED);
    assertThat(out.size()).isZero();
  }

  private String quick(List<String> args) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int code = dev.herd.cli.quick.QuickCli.run(args.toArray(String[]::new), new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
        new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), dir);
    assertThat(code).as("quick " + args).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  static final String BAKE_SPEC = """
      project: {name: oven, ports: 20000-20009}
      roles:
        web:
          base: {scratch: {}}
          vars: {greeting: hello}
          resources:
            - file: /bin/app
              content: "#!/bin/sh\\n"
              mode: "0755"
            - template: /etc/app.conf
              source: app.conf.j2
          command: ["/bin/app"]
      """;

  /**
   * herd bake through a running controller (the launcher's quick path): the same progress and
   * result lines as the CLI's own bake, into the same store; what it cannot take it leaves to the CLI.
   */
  @Test
  void aBakeThroughTheControllerPrintsWhatTheCliPrints() throws Exception {
    Files.writeString(dir.resolve("herd.yaml"), BAKE_SPEC);
    Files.writeString(dir.resolve("app.conf.j2"), "greeting={{ greeting }}\n");
    Path state = dir.resolve(".herd");
    try (dev.herd.image.Images images = dev.herd.image.Images.open(state)) {
      try (ControllerHost host = bakingHost(state, images)) {
        Baked first = quickBake(Map.of(), "bake", "web");
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).matches("web:1 sha256:[0-9a-f]{64}\\R");
        assertThat(first.err()).contains("web: resolving", "web: resources", "web: write").doesNotContain("Exception");

        // a no-op rebake: the CLI's own bake (in this JVM) and the controller's print the same lines
        CliRun cli = CliRun.of("bake", "web", "-f", file());
        assertThat(cli.exitCode()).as(cli.err()).isZero();
        Baked again = quickBake(Map.of(), "bake");
        assertThat(again.out()).isEqualTo(cli.out()).isEqualTo(first.out());
        assertThat(timeless(again.err())).isEqualTo(timeless(cli.err()));

        // an edited template: a new version, its change listed as the CLI lists it
        Files.writeString(dir.resolve("app.conf.j2"), "greeting={{ greeting }}!\n");
        Baked edited = quickBake(Map.of(), "bake", "web", "--locked", "--file", file());
        assertThat(edited.code()).as(edited.err()).isZero();
        assertThat(edited.out()).startsWith("web:2 sha256:");
        assertThat(edited.err()).contains("/etc/app.conf");
        assertThat(images.catalog().find(dev.herd.image.catalog.ImageRef.parse("web:2")).digest().toString())
            .isEqualTo(edited.out().strip().split(" ")[1]);

        // what the controller would not bake as the client would: left to the CLI, nothing printed
        for (List<String> other : List.<List<String>>of(List.of("bake", "-v"), List.of("bake", "--refresh"),
            List.of("bake", "--junit", "x.xml"), List.of("bake", "db"), List.of("bake", "web", "--locked", "--locked"))) {
          Baked left = quickBake(Map.of(), other.toArray(String[]::new));
          assertThat(left.code()).as(other.toString()).isEqualTo(dev.herd.cli.quick.QuickCli.NOT_HANDLED);
          assertThat(left.out() + left.err()).as(other.toString()).isEmpty();
        }
        Baked otherEpoch = quickBake(Map.of("SOURCE_DATE_EPOCH", "86400"), "bake", "web");
        assertThat(otherEpoch.code()).as("the client's SOURCE_DATE_EPOCH is not the controller's")
            .isEqualTo(dev.herd.cli.quick.QuickCli.NOT_HANDLED);
        assertThat(otherEpoch.out() + otherEpoch.err()).isEmpty();
      }
    }
  }

  /**
   * herd audit --root through a running controller (the launcher's quick path): the same lines
   * and exit code as the CLI's own audit; what it cannot take it leaves to the CLI.
   */
  @Test
  void anAuditThroughTheControllerPrintsWhatTheCliPrints() throws Exception {
    Files.writeString(dir.resolve("herd.yaml"), BAKE_SPEC);
    Files.writeString(dir.resolve("app.conf.j2"), "greeting={{ greeting }}\n");
    Path root = Files.createDirectories(dir.resolve("pet/etc"));
    Files.writeString(root.resolve("app.conf"), "greeting=hello\n");
    Files.createDirectories(dir.resolve("pet/bin"));
    Files.writeString(dir.resolve("pet/bin/app"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(dir.resolve("pet/bin/app"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Path state = dir.resolve(".herd");
    try (dev.herd.image.Images images = dev.herd.image.Images.open(state)) {
      try (ControllerHost host = bakingHost(state, images)) {
        String pet = dir.resolve("pet").toString();
        // as it is (matching when run as root, else with the owners the CLI reports too), then edited
        for (int round = 0; round < 2; round++) {
          CliRun cli = CliRun.of("audit", "web", "-f", file(), "--root", pet);
          assertThat(cli.exitCode()).as(cli.err()).isIn(0, AuditCommand.DIFFERS);
          Baked quick = quickBake(Map.of(), "audit", "web", "--root", pet, "-f", file());
          assertThat(quick.code()).as(quick.err()).isEqualTo(cli.exitCode());
          assertThat(quick.out()).isEqualTo(cli.out());
          assertThat(quick.err()).isEqualTo(cli.err()).contains("role web:");
          Files.writeString(root.resolve("app.conf"), "greeting=edited\n");
        }
        Baked differs = quickBake(Map.of(), "audit", "web", "--root", "pet", "--file", file());
        assertThat(differs.code()).isEqualTo(AuditCommand.DIFFERS);
        assertThat(differs.out()).contains("/etc/app.conf: content differs");

        // what the controller would not audit as the client would: left to the CLI, nothing printed
        for (List<String> other : List.<List<String>>of(List.of("audit", "web", "--container", "pet"),
            List.of("audit", "web", "--root", pet, "-v"), List.of("audit", "db", "--root", pet),
            List.of("audit", "web", "--root", dir.resolve("nope").toString()), List.of("audit", "web"),
            List.of("audit", "web", "--root", pet, "--root", pet), List.of("status", "--root", pet))) {
          Baked left = quickBake(Map.of(), other.toArray(String[]::new));
          assertThat(left.code()).as(other.toString()).isEqualTo(dev.herd.cli.quick.QuickCli.NOT_HANDLED);
          assertThat(left.out() + left.err()).as(other.toString()).isEmpty();
        }
        Baked otherEpoch = quickBake(Map.of("SOURCE_DATE_EPOCH", "86400"), "audit", "web", "--root", pet);
        assertThat(otherEpoch.code()).as("the client's SOURCE_DATE_EPOCH is not the controller's")
            .isEqualTo(dev.herd.cli.quick.QuickCli.NOT_HANDLED);
      }
    }
  }

  /** A controller that bakes into {@code images} (the real Baker) and runs nodes on the fake engine. */
  private ControllerHost bakingHost(Path state, dev.herd.image.Images images) throws Exception {
    ControllerConfig config = ControllerConfig.builder().stateDir(state).project("oven").engine(fake)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, out -> out.write(d.getBytes(StandardCharsets.UTF_8))))
        .prober((t, c, timeout) -> ProbeResult.ok("HTTP 200")).portCheck(p -> true).simulated(clock).build();
    dev.herd.server.RoleImages baking = new dev.herd.server.BakedImages(dev.herd.bake.Baker.standard(images), state,
        new dev.herd.server.CatalogImages(images.catalog(), images.store()));
    return ControllerHost.start(ControllerLock.acquire(state), config, dir.resolve("herd.yaml"), baking,
        HerdServer.Options.of(state, "oven").withClock(clock), null);
  }

  record Baked(int code, String out, String err) {}

  private Baked quickBake(Map<String, String> env, String... args) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int code = dev.herd.cli.quick.QuickCli.run(args, new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
        new java.io.PrintStream(err, true, StandardCharsets.UTF_8), dir, env);
    return new Baked(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String timeless(String progress) {
    return progress.replaceAll("\\(\\d+\\.\\d\\ds\\)", "(T)");
  }

  /** The quick client and the server agree on what a bake reads from its environment. */
  @Test
  void theQuickClientSendsEveryVariableTheServerCompares() throws Exception {
    java.lang.reflect.Field f = Class.forName("dev.herd.server.BakeRoutes").getDeclaredField("BAKE_ENVIRONMENT");
    f.setAccessible(true);
    assertThat(dev.herd.cli.quick.QuickCli.BAKE_ENVIRONMENT).isEqualTo(f.get(null));
  }

  @Test
  void dashboardPrintsALoginUrlThatWorksOnceAndShowsTheLastProbe() throws Exception {
    try (ControllerHost host = startHost()) {
      host.apply();
      settle(host, 3);
      CliRun r = CliRun.of("dashboard", "-f", file());
      assertThat(r.exitCode()).as(r.err()).isZero();
      String url = r.out().lines().findFirst().orElseThrow();
      assertThat(url).startsWith(host.server().url() + "/ui/login?code=");
      assertThat(r.out()).contains("works once, until");
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      var login = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(login.statusCode()).isEqualTo(303);
      assertThat(login.headers().firstValue("Location")).hasValue("/ui/");
      var again = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(again.body()).contains("does not work (any more)");

      // a browser that keeps its cookie sees the nodes, each with its last probe (the host wires the recorder)
      String url2 = CliRun.of("dashboard", "-f", file()).out().lines().findFirst().orElseThrow();
      java.net.CookieManager cookies = new java.net.CookieManager();
      java.net.http.HttpClient browser = java.net.http.HttpClient.newBuilder().cookieHandler(cookies)
          .followRedirects(java.net.http.HttpClient.Redirect.NORMAL).build();
      var page = browser.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url2)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.uri().toString()).endsWith("/ui/").doesNotContain("code=");
      var nodes = browser.send(java.net.http.HttpRequest.newBuilder(host.server().url().resolve("/ui/fleets/web")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(nodes.body()).contains("data-node=\"web-1\"").contains("ok 0s ago: HTTP 200");
    }
    CliRun none = CliRun.of("dashboard", "-f", file());
    assertThat(none.exitCode()).isEqualTo(HerdCli.ENVIRONMENT);
  }

  @Test
  void dashboardOpenSaysWhenThereIsNoXdgOpen() throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    assertThat(DashboardCommand.findOnPath("xdg-open", bin.toString())).isEmpty();
    assertThat(DashboardCommand.findOnPath("xdg-open", null)).isEmpty();
    assertThat(DashboardCommand.openWith(java.util.Optional.empty(), "http://127.0.0.1:1/ui/login?code=x"))
        .contains("xdg-open is not installed");
    Path opener = bin.resolve("xdg-open");
    Files.writeString(opener, "#!/bin/sh\necho \"$1\" > \"$(dirname \"$0\")/opened\"\n");
    opener.toFile().setExecutable(true);
    assertThat(DashboardCommand.findOnPath("xdg-open", "/nonexistent:" + bin)).contains(opener);
    assertThat(DashboardCommand.openWith(java.util.Optional.of(opener), "http://127.0.0.1:1/ui/login?code=x"))
        .startsWith("opened with");
    assertThat(Files.readString(bin.resolve("opened")).strip()).isEqualTo("http://127.0.0.1:1/ui/login?code=x");
  }

  @Test
  void noControllerRunningIsExit4WithHowToStartOne() throws IOException {
    Files.writeString(dir.resolve("herd.yaml"), SPEC);
    for (String cmd : new String[] {"status", "apply", "plan", "events"}) {
      CliRun r = CliRun.of(cmd, "-f", file());
      assertThat(r.exitCode()).as(cmd).isEqualTo(HerdCli.ENVIRONMENT);
      assertThat(r.err()).as(cmd).contains("herd: no herd controller is running for " + dir + "; start one with `herd up`");
    }
    // down needs no controller: with no state there is nothing herd started here
    CliRun down = CliRun.of("down", "-f", file());
    assertThat(down.exitCode()).as(down.err()).isZero();
    assertThat(down.out()).contains("herd never ran project shop here; nothing to remove");
    CliRun scale = CliRun.of("scale", "web", "2", "--state", dir.resolve("elsewhere").toString());
    assertThat(scale.exitCode()).isEqualTo(HerdCli.ENVIRONMENT);
    assertThat(scale.err()).contains("no herd controller is running for " + dir.resolve("elsewhere"));
  }

  @Test
  void aStaleApiJsonIsReportedAsSuch() throws Exception {
    Files.writeString(dir.resolve("herd.yaml"), SPEC);
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    ApiFiles.writeInfo(dir.resolve(".herd"), new ApiFiles.Info("http://127.0.0.1:9", p.pid(), "shop", Instant.EPOCH));
    CliRun r = CliRun.of("status", "-f", file());
    assertThat(r.exitCode()).isEqualTo(HerdCli.ENVIRONMENT);
    assertThat(r.err()).contains("no herd controller is running").contains("stale")
        .contains("pid " + p.pid() + ") is no longer running");
  }

  @Test
  void aSecondUpOnTheSameStateDirIsRefused() throws IOException {
    try (ControllerHost host = startHost()) {
      CliRun up = CliRun.of("up", dir.toString());
      assertThat(up.exitCode()).isEqualTo(HerdCli.FAILED);
      assertThat(up.err()).contains("a herd controller already runs for " + dir.resolve(".herd"))
          .contains("API at " + host.server().url());
    }
  }

  @Test
  void statusAndEventsAsJsonCarryTheTablesFields() throws Exception {
    try (ControllerHost host = startHost()) {
      assertThat(CliRun.of("apply", "-f", file()).exitCode()).isZero();
      settle(host, 3);
      var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
      CliRun status = CliRun.of("status", "--json", "-f", file());
      assertThat(status.exitCode()).as(status.err()).isZero();
      var fleet = mapper.readTree(status.out()).get("fleets").get(0);
      assertThat(fleet.get("name").asText()).isEqualTo("web");
      assertThat(fleet.get("release").asText()).isEqualTo("web:v1");
      assertThat(fleet.get("healthy").asInt()).isEqualTo(3);
      var node = fleet.get("nodes").get(0);
      for (String field : new String[] {"name", "state", "release", "generation", "port", "age_seconds"}) {
        assertThat(node.has(field)).as(field).isTrue();
      }
      CliRun events = CliRun.of("events", "--json", "-f", file());
      assertThat(events.exitCode()).as(events.err()).isZero();
      List<String> lines = events.out().lines().toList();
      assertThat(lines).isNotEmpty();
      for (String line : lines) {
        var e = mapper.readTree(line);
        assertThat(e.has("time") && e.has("kind") && e.has("reason") && e.has("fleet") && e.has("node")).as(line).isTrue();
      }
      assertThat(lines).anySatisfy(l -> assertThat(l).contains("fleet web created"));
    }
  }
}
