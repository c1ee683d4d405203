package dev.herd.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class SpecLoaderTest {
  static final String MINIMAL =
      """
      project: {name: demo}
      roles:
        web:
          base: {scratch: {}}
          command: [/app]
          resources:
            - directory: /srv
            - file: /etc/motd
              content: hi
            - user: app
          run:
            - shell: make
          health:
            tcp: {}
      environments:
        dev: {}
      fleets:
        web: {role: web, environment: dev}
      """;

  static Path resource(String name) throws URISyntaxException {
    return Path.of(SpecLoaderTest.class.getResource(name).toURI());
  }

  static Path helloWeb() {
    // Tests run in herd-spec/; the example lives at the repository root.
    return Path.of("..", "examples", "hello-web", "herd.yaml").toAbsolutePath().normalize();
  }

  static Spec load(String yaml) {
    return SpecLoader.load(Path.of("herd.yaml"), yaml.getBytes(StandardCharsets.UTF_8)).orThrow();
  }

  @Test
  void loadsTheHelloWebExample() {
    Spec spec = SpecLoader.loadOrThrow(helloWeb());
    assertThat(spec.project().name()).isEqualTo("hello-web");
    assertThat(spec.project().ports()).isEqualTo(new PortRange(18080, 18179));
    Role web = spec.role("web");
    assertThat(web.base()).isInstanceOf(Base.Debian.class);
    assertThat(((Base.Debian) web.base()).variant()).isEqualTo(Base.Variant.EXTRACT);
    assertThat(web.resources()).extracting(Resource::target)
        .containsExactly("www", "www", "/srv/www", "/srv/www/index.html", "/srv/www/config.json", "/etc/motd", "/bin/sh",
            "/srv/www/release");
    assertThat(web.command()).anySatisfy(arg -> assertThat(arg).contains("${HOST}:${PORT}", "$HERD_RELEASE"));
    assertThat(web.health()).get().extracting(Health::check).isEqualTo(new Health.Http("/", 200));
    Fleet fleet = spec.fleet("web");
    assertThat(fleet.count()).isEqualTo(3);
    assertThat(IntStream.rangeClosed(1, 3).mapToObj(fleet::nodeName)).containsExactly("web-1", "web-2", "web-3");
    assertThat(fleet.limits().memoryBytes()).hasValue(64L << 20);
    assertThat(spec.environmentOf(fleet).config()).containsEntry("GREETING", "hello");
    assertThat(spec.digest()).matches("sha256:[0-9a-f]{64}");
    assertThat(spec.resolve("templates/index.html.j2")).exists();
  }

  @Test
  void autoscaleReadsItsKeysWithTheirDefaults() {
    Spec spec = load(MINIMAL.replace("web: {role: web, environment: dev}",
        "web: {role: web, environment: dev, autoscale: {max: 6, target: {cpu: 60%}}}\n"
            + "  api: {role: web, environment: dev, name: \"api-{n}\", autoscale: {min: 2, max: 9, target: {cpu: 75%},"
            + " scale_up_after: 1m, scale_down_after: 10m, step: 2, tolerance: 5%, interval: 30s}}"));
    assertThat(spec.fleet("web").autoscale()).contains(Autoscale.cpu(1, 6, 60, Duration.ofSeconds(30),
        Duration.ofMinutes(5), Amount.percentOf(100), 10, Duration.ofSeconds(15)));
    assertThat(spec.fleet("api").autoscale()).contains(Autoscale.cpu(2, 9, 75, Duration.ofMinutes(1),
        Duration.ofMinutes(10), Amount.nodes(2), 5, Duration.ofSeconds(30)));
    assertThat(load(MINIMAL).fleet("web").autoscale()).isEmpty();
    // issue 15: requests through an exposed fleet's front door
    Spec byRequests = load(MINIMAL.replace("web: {role: web, environment: dev}",
        "web: {role: web, environment: dev, expose: {port: 8080}, autoscale: {max: 6, target: {requests_per_node: 50}}}"));
    assertThat(byRequests.fleet("web").autoscale()).hasValueSatisfying(a -> {
      assertThat(a.metric()).isEqualTo(Autoscale.Metric.REQUESTS);
      assertThat(a.requestsPerNode()).isEqualTo(50);
      assertThat(a.target()).isEqualTo(50.0);
    });
  }

  @Test
  void appliesEveryDefaultSoLaterCodeNeverSeesNulls() {
    Spec spec = load(MINIMAL);
    assertThat(spec.project().ports()).isEqualTo(PortRange.DEFAULT);
    Role role = spec.role("web");
    assertThat(role.resources().get(0)).isEqualTo(
        new Resource.Directory("/srv", "0755", "root", "root", role.resources().get(0).location(), "roles.web.resources[0]"));
    Resource.File motd = (Resource.File) role.resources().get(1);
    assertThat(List.of(motd.mode(), motd.owner(), motd.group())).containsExactly("0644", "root", "root");
    Resource.User user = (Resource.User) role.resources().get(2);
    assertThat(user.home()).isEqualTo("/nonexistent");
    assertThat(user.shell()).isEqualTo("/usr/sbin/nologin");
    assertThat(role.run().get(0).name()).isEqualTo("run[0]");
    assertThat(role.run().get(0).timeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(role.run().get(0).network()).isFalse();
    Health h = role.health().orElseThrow();
    assertThat(List.of(h.interval(), h.timeout(), h.startGrace()))
        .containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(10));
    assertThat(h.failureThreshold()).isEqualTo(3);
    assertThat(role.limits()).isEqualTo(Limits.NONE);
    assertThat(role.secretScan()).isEqualTo(SecretScan.NONE);

    Fleet f = spec.fleet("web");
    assertThat(f.image()).isEqualTo(new ImageRef.Latest());
    assertThat(f.count()).isEqualTo(1);
    assertThat(f.nodeName(1)).isEqualTo("web-1");
    assertThat(f.readOnlyRoot()).isTrue();
    assertThat(f.rollout()).isEqualTo(new Fleet.Rollout(Fleet.Strategy.ROLLING, Amount.nodes(1), Amount.nodes(0),
        Duration.ofSeconds(5), Duration.ofMinutes(5), true, java.util.Optional.empty(), java.util.Optional.empty()));
    assertThat(f.maxAge()).isEmpty();
    assertThat(f.onUnhealthy()).isEqualTo(Fleet.OnUnhealthy.REPLACE);
    assertThat(f.quarantineRetention()).isEqualTo(Duration.ofHours(24));
    assertThat(f.onConfigChange()).isEqualTo(Fleet.OnConfigChange.ROLLING);
    assertThat(f.drift()).isEqualTo(Fleet.Drift.DEFAULT);
    assertThat(f.logs()).isEqualTo(new Fleet.Logs(Duration.ofDays(7), Size.parse("100Mi")));
    assertThat(f.expose()).isEmpty();
    assertThat(spec.environments().get("dev").description()).isEmpty();
  }

  @Test
  void exposeDefaultsToLoopbackHttpAndThirtySecondsOfDrain() {
    Spec spec = load(MINIMAL.replace("web: {role: web, environment: dev}",
        "web: {role: web, environment: dev, expose: {port: 8080}}\n  api: {role: web, environment: dev, name: \"api-{n}\","
            + " expose: {port: 8080, bind: \"::1\", protocol: tcp, drain_timeout: 5s, max_connections: 32}}"));
    Fleet.Expose web = spec.fleets().get("web").expose().orElseThrow();
    assertThat(List.of(web.port(), web.bind(), web.protocol(), web.drainTimeout()))
        .containsExactly(8080, "127.0.0.1", Fleet.Protocol.HTTP, Duration.ofSeconds(30));
    assertThat(web.address()).isEqualTo("127.0.0.1:8080");
    Fleet.Expose api = spec.fleets().get("api").expose().orElseThrow();
    assertThat(List.of(api.bind(), api.protocol(), api.drainTimeout())).containsExactly("::1", Fleet.Protocol.TCP, Duration.ofSeconds(5));
    assertThat(web.maxConnections()).as("no per-node connection limit unless written").isZero();
    assertThat(api.maxConnections()).isEqualTo(32);
    // Same port on another address is no clash; a wildcard address clashes with every address.
    assertThat(api.address()).isEqualTo("[::1]:8080");
    assertThat(web.clashesWith(api)).isFalse();
    assertThat(web.portAt().line()).isEqualTo(web.bindAt().line());
  }

  @Test
  void readsEveryKeyOfTheFullSpec() throws Exception {
    Spec spec = SpecLoader.loadOrThrow(resource("/full/herd.yaml"));
    assertThat(spec.roles().keySet()).containsExactly("web", "worker", "tool");
    Role web = spec.role("web");
    assertThat(web.vars()).containsExactly(
        java.util.Map.entry("greeting", "Hello"), java.util.Map.entry("answer", "42"), java.util.Map.entry("enabled", "true"));
    assertThat(web.env()).containsEntry("WORKERS", "4");
    assertThat(web.reload()).get().extracting(Reload::signal).isEqualTo(Reload.Signal.HUP);
    assertThat(web.health().orElseThrow().timeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(web.run().get(0).timeout()).isEqualTo(Duration.ofMinutes(90));
    assertThat(((Resource.Template) web.resources().get(3)).group()).isEqualTo("1000");
    assertThat(spec.role("worker").base()).isEqualTo(new Base.Image("base.tar", Base.ImageFormat.OCI_ARCHIVE,
        java.util.Optional.of("latest"), false, spec.role("worker").base().location()));
    assertThat(spec.role("worker").command()).isEmpty();
    assertThat(spec.role("tool").health().orElseThrow().check()).isEqualTo(new Health.Command(List.of("/tool", "--check")));

    Fleet f = spec.fleet("web");
    assertThat(f.limits()).isEqualTo(new Limits(OptionalLong.of(128L << 20), OptionalDouble.of(1)));
    assertThat(f.rollout().maxSurge()).isEqualTo(Amount.percentOf(25));
    assertThat(f.rollout().canary()).contains(new Fleet.Canary(2, Duration.ofMinutes(15)));
    assertThat(f.image()).isEqualTo(new ImageRef.Channel("dev"));
    assertThat(f.nodeName(4)).isEqualTo("www-4");
    assertThat(f.drift().tamper()).isEqualTo(Fleet.DriftAction.QUARANTINE);
    assertThat(spec.fleet("worker").rollout().blueGreen()).contains(new Fleet.BlueGreen(Duration.ofMinutes(2)));
    assertThat(spec.fleet("worker").image()).isEqualTo(new ImageRef.Version(3));
    assertThat(f.dependsOn()).containsExactly("worker");
    assertThat(spec.fleet("worker").dependsOn()).isEmpty();
    assertThat(spec.startOrder()).containsExactly(List.of("worker", "tool", "db"), List.of("web"));
  }

  @Test
  void theModelIsImmutable() {
    Spec spec = load(MINIMAL);
    assertThatThrownBy(() -> spec.roles().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> spec.role("web").command().add("x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> spec.role("web").env().put("A", "b")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void recordsLocationsAndKeyPathsForLaterErrors() {
    Spec spec = load(MINIMAL);
    Resource file = spec.role("web").resources().get(1);
    assertThat(file.location()).hasToString("herd.yaml:8:9");
    assertThat(file.keyPath()).isEqualTo("roles.web.resources[1]");
    assertThat(spec.fleet("web").location()).hasToString("herd.yaml:18:3");
  }

  @Test
  void loadOrThrowCarriesEveryError() {
    byte[] bad = "project: {name: Demo}\nroles:\n  web:\n    base: {}\n".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> SpecLoader.load(Path.of("herd.yaml"), bad).orThrow())
        .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.errors()).hasSize(3))
        .hasMessageContaining("herd.yaml:1:17: project.name:")
        .hasMessageContaining("herd.yaml:4:5: roles.web.base: needs exactly one of scratch, debian or image");
  }

  @Test
  void aMissingFileIsAnErrorNotAnException(@TempDir Path dir) {
    SpecResult r = SpecLoader.load(dir.resolve("herd.yaml"));
    assertThat(SpecLoader.render(r)).singleElement().asString().startsWith("herd.yaml:1:1: no such file: ");
  }

  @Test
  @Timeout(5)
  void refusesFilesOverFourMebibytesBeforeReadingThem(@TempDir Path dir) throws Exception {
    byte[] huge = ("# " + "x".repeat(SpecLoader.MAX_BYTES) + "\n").getBytes(StandardCharsets.UTF_8);
    Path file = dir.resolve("herd.yaml");
    Files.write(file, huge);
    String expected = "herd.yaml:1:1: the file is 4.0 MiB; herd.yaml may be at most 4 MiB";
    assertThat(SpecLoader.render(SpecLoader.load(file))).containsExactly(expected);
    assertThat(SpecLoader.render(SpecLoader.load(file, huge))).containsExactly(expected);
  }

  @Test
  @Timeout(2)
  void refusesTheBillionLaughsQuickly() {
    StringBuilder bomb = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (char c = 'b'; c <= 'z'; c++) {
      bomb.append(c).append(": &").append(c).append(" [");
      for (int i = 0; i < 10; i++) {
        bomb.append(i == 0 ? "" : ", ").append('*').append((char) (c - 1));
      }
      bomb.append("]\n");
    }
    long start = System.nanoTime();
    List<String> errors = SpecLoader.render(SpecLoader.load(Path.of("herd.yaml"), bomb.toString().getBytes(StandardCharsets.UTF_8)));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    assertThat(errors).containsExactly("herd.yaml:7:8: more than 50 aliases to maps or lists; refusing a possible alias bomb");
  }

  @Test
  @Timeout(2)
  void aliasesWithinTheLimitCannotBlowUpEither() {
    // 25 levels, each doubling the last: 50 aliases (allowed) that would expand to 2^25 values.
    StringBuilder doc = new StringBuilder("project: {name: demo}\nroles:\n  web:\n    base: {scratch: {}}\n    command: [/app]\n");
    doc.append("x0: &x0 [a, b]\n");
    for (int i = 1; i <= 25; i++) {
      doc.append("x").append(i).append(": &x").append(i).append(" [*x").append(i - 1).append(", *x").append(i - 1).append("]\n");
    }
    List<String> errors = SpecLoader.render(SpecLoader.load(Path.of("herd.yaml"), doc.toString().getBytes(StandardCharsets.UTF_8)));
    assertThat(errors).hasSize(26).allMatch(e -> e.contains(": unknown key (expected one of project, roles, environments, fleets, registries or channels)"));
  }

  @Test
  @Timeout(10)
  void deepNestingIsAnErrorNotACrash() {
    byte[] deep = ("a: " + "[".repeat(200_000)).getBytes(StandardCharsets.UTF_8);
    List<String> errors = SpecLoader.render(SpecLoader.load(Path.of("herd.yaml"), deep));
    assertThat(errors).singleElement().asString().startsWith("herd.yaml:");
  }

  @Test
  void aByteOrderMarkIsAccepted() {
    byte[] withBom = ("\uFEFF" + MINIMAL).getBytes(StandardCharsets.UTF_8);
    assertThat(SpecLoader.load(Path.of("herd.yaml"), withBom)).isInstanceOf(SpecResult.Loaded.class);
  }

  @Test
  void theDigestFollowsTheBytes() {
    String a = load(MINIMAL).digest();
    String b = load(MINIMAL + "# changed\n").digest();
    assertThat(a).isNotEqualTo(b).isEqualTo(load(MINIMAL).digest());
  }

  @Test
  void mergeKeysShareSettingsAndWrittenKeysWin() {
    Spec spec = load("""
        project: {name: demo}
        roles:
          base: &defaults {base: {scratch: {}}, command: [/default], writable: [/tmp]}
          web:
            <<: *defaults
            command: [/web]
        """);
    assertThat(spec.role("web").command()).containsExactly("/web");
    assertThat(spec.role("web").writable()).containsExactly("/tmp");
    assertThat(spec.role("base").command()).containsExactly("/default");
  }
}
