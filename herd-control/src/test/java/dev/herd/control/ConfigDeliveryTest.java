package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herd.config.Edit;
import dev.herd.config.Flag;
import dev.herd.config.HerdConfig;
import dev.herd.control.config.ConfigDelivery;
import dev.herd.engine.Engine;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeRef;
import dev.herd.engine.NodeSpec;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config service reaching nodes through the controller, on the fake engine in simulated time. */
class ConfigDeliveryTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Edit EDIT = Edit.by("test");
  private static final String SECRET = "s3cr3t-Value-7f9a21";

  @TempDir Path dir;
  Sim sim;
  HerdConfig cfg;
  ConfigDelivery delivery;
  Spec spec;

  static String yaml(int count, String onConfigChange) {
    return """
        project:
          name: shop
          ports: 20000-20999
        roles:
          web:
            base: {scratch: {}}
            command: ["/srv/web", "--port", "${PORT}"]
            launch:
              SLOT: "{{ node.name }}-{{ node.index }}"
              HEAP_MB: "{{ node.memory_mb * 3 // 4 }}"
            limits: {memory: 128Mi}
            reload: {signal: HUP}
            health:
              http: {path: /health, status: 200}
              interval: 1s
              timeout: 500ms
              start_grace: 2s
              failure_threshold: 3
        environments:
          prod:
            config:
              GREETING: hello
        fleets:
          web:
            role: web
            environment: prod
            count: %d
            on_config_change: %s
            rollout:
              strategy: rolling
              max_surge: 1
              max_unavailable: 0
              min_healthy_time: 2s
              progress_deadline: 30s
        """.formatted(count, onConfigChange);
  }

  void open(int count, String onConfigChange) {
    open(count, onConfigChange, null);
  }

  /** {@code deliveryEngine}: the engine the config delivery signals through (null: the fake). */
  void open(int count, String onConfigChange, Engine deliveryEngine) {
    sim = new Sim(dir);
    cfg = HerdConfig.open(dir, Map.of(), sim.clock);
    delivery = new ConfigDelivery(cfg, deliveryEngine != null ? deliveryEngine : sim.fake, Sim.PROJECT, sim.clock);
    sim.nodeConfig = delivery;
    sim.open();
    delivery.attach(sim.controller);
    apply(yaml(count, onConfigChange));
    sim.runUntil(Duration.ofSeconds(30), s -> s.settledOn("web:v1", count));
  }

  void apply(String text) {
    spec = SpecLoader.load(Path.of("/tmp/herd-test/herd.yaml"), text.getBytes(StandardCharsets.UTF_8)).orThrow();
    delivery.spec(spec);
    sim.controller.apply(delivery.pin(spec, DesiredState.of(spec, Map.of("web", Sim.V1))));
    sim.controller.runPending();
  }

  @AfterEach
  void close() {
    if (sim != null) {
      sim.close();
    }
    if (delivery != null) {
      delivery.close();
    }
    if (cfg != null) {
      cfg.close();
    }
  }

  @Test
  void aConfigChangeWithRollingIsANewReleaseReplacingNodesOneByOneWithTheNewEnv() throws IOException {
    open(3, "rolling");
    for (NodeInfo n : sim.running()) {
      NodeSpec s = spec(n);
      assertThat(s.env()).containsEntry("GREETING", "hello").containsEntry("HEAP_MB", "96").containsEntry("HERD_RELEASE", "web:v1");
      assertThat(s.env().get("SLOT")).matches("web-\\d-\\d");
      assertThat(s.configDir()).isEqualTo(dir.resolve("nodes/web").resolve(n.name()).toAbsolutePath());
      assertThat(json(n, "config.json").path("values").path("GREETING").asText()).isEqualTo("hello");
    }

    cfg.config().set(spec, "prod", "web", Map.of("GREETING", "bonjour"), EDIT);

    assertThat(sim.status().currentRelease()).isEqualTo("web:v2");
    ReleaseInfo v2 = sim.controller.releases("web").get(0);
    assertThat(v2.configRevision()).isEqualTo(1);
    assertThat(v2.env()).containsEntry("GREETING", "bonjour");
    List<Integer> running = new ArrayList<>();
    sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v2", 3), () -> running.add(sim.running().size()));
    assertThat(running).as("one surge node at a time").allMatch(n -> n <= 4).contains(4);
    for (NodeInfo n : sim.running()) {
      assertThat(spec(n).env()).containsEntry("GREETING", "bonjour").containsEntry("HERD_RELEASE", "web:v2");
      JsonNode c = json(n, "config.json");
      assertThat(c.path("values").path("GREETING").asText()).isEqualTo("bonjour");
      assertThat(c.path("revision").asLong()).isEqualTo(1);
    }
    assertThat(sim.events()).noneMatch(e -> e.reason().contains("bonjour"));

    // a bad config rolls back like a bad image: the rollback restores the old env
    sim.controller.rollback("web");
    sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v1", 3));
    for (NodeInfo n : sim.running()) {
      assertThat(spec(n).env()).containsEntry("GREETING", "hello");
    }
  }

  @Test
  void aLaunchChangeIsANewReleaseRolledOutWithTheFleetsStrategyAndRolledBackWithIt() {
    open(3, "rolling");
    assertThat(sim.running()).allSatisfy(n -> assertThat(spec(n).env()).containsEntry("HEAP_MB", "96"));

    delivery.spec(parse(yaml(3, "rolling").replace("* 3 // 4", "// 2")));
    ApplyResult r = sim.controller.apply(delivery.pin(spec, DesiredState.of(spec, Map.of("web", Sim.V1))));
    assertThat(r.fleets()).singleElement().satisfies(c -> {
      assertThat(c.kind()).isEqualTo(FleetChange.Kind.RELEASED);
      assertThat(c.details()).contains("launch HEAP_MB");
    });
    sim.controller.runPending();
    assertThat(sim.status().currentRelease()).isEqualTo("web:v2");
    List<Integer> running = new ArrayList<>();
    sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v2", 3), () -> running.add(sim.running().size()));
    assertThat(running).as("max_surge 1, max_unavailable 0").allMatch(n -> n >= 3 && n <= 4).contains(4);
    assertThat(sim.running()).allSatisfy(n -> assertThat(spec(n).env()).containsEntry("HEAP_MB", "64"));

    // the release pins the templates: a rollback brings the old launch settings back
    sim.controller.rollback("web");
    sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v1", 3));
    assertThat(sim.running()).allSatisfy(n -> assertThat(spec(n).env()).containsEntry("HEAP_MB", "96"));
  }

  @Test
  void aNodeWhoseStartFailsKeepsNoFilesAndNoToken() {
    open(2, "rolling");
    sim.fake.failStart("web-3-g1", "OCI runtime error: boom");
    apply(yaml(3, "rolling"));
    sim.tick();

    assertThat(sim.events(dev.herd.control.state.EventKind.NODE_START_FAILED)).isNotEmpty();
    assertThat(dir.resolve("nodes/web/web-3-g1")).doesNotExist();
    assertThat(cfg.tokens().nodes().get("web")).doesNotContain("web-3-g1");
  }

  @Test
  void filesAndTokensOfNodesThatAreGoneAreSweptAtTheNextStart() throws IOException {
    open(2, "rolling");
    List<String> live = sim.running().stream().map(NodeInfo::name).toList();
    sim.controller.close();
    // left behind by a controller killed between removing a node and cleaning up after it
    Files.createDirectories(dir.resolve("nodes/web/web-7-g4/v1"));
    cfg.tokens().issue(new dev.herd.config.NodeIdentity("web", "web-7-g4", "prod", "web"));

    sim.open();
    delivery.attach(sim.controller);
    sim.tick();

    assertThat(dir.resolve("nodes/web/web-7-g4")).doesNotExist();
    assertThat(cfg.tokens().nodes().get("web")).containsExactlyInAnyOrderElementsOf(live);
    for (String n : live) {
      assertThat(dir.resolve("nodes/web").resolve(n)).isDirectory();
    }
  }

  private Spec parse(String text) {
    spec = SpecLoader.load(Path.of("/tmp/herd-test/herd.yaml"), text.getBytes(StandardCharsets.UTF_8)).orThrow();
    return spec;
  }

  @Test
  void reloadReRendersTheNodeFilesAndSignalsEachNodeWithoutARelease() throws IOException {
    open(2, "reload");
    cfg.config().set(spec, "prod", "web", Map.of("GREETING", "hola"), EDIT);
    sim.controller.runPending();

    assertThat(sim.controller.releases("web")).hasSize(1);
    assertThat(sim.status().rollout()).isEmpty();
    assertThat(sim.running()).hasSize(2);
    for (NodeInfo n : sim.running()) {
      assertThat(json(n, "config.json").path("values").path("GREETING").asText()).isEqualTo("hola");
      assertThat(Files.readString(nodeDir(n).resolve("config.env"))).contains("GREETING='hola'");
      assertThat(sim.fake.signals(n.ref())).containsExactly("HUP");
    }
  }

  @Test
  void reloadSignalsTheNodesOfAFleetInParallelNotOneAfterAnother() throws Exception {
    int count = 6;
    // each signal waits (up to 5 s) until all six are in flight: one after another, none would
    // see the others, and the reload would take 30 s with at most one signal in flight
    CountDownLatch allInFlight = new CountDownLatch(count);
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    Engine gated = (Engine) Proxy.newProxyInstance(Engine.class.getClassLoader(), new Class<?>[] {Engine.class},
        (proxy, method, args) -> {
          if (method.getName().equals("signal")) {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            allInFlight.countDown();
            try {
              allInFlight.await(5, TimeUnit.SECONDS);
            } finally {
              inFlight.decrementAndGet();
            }
          }
          try {
            return method.invoke(sim.fake, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    open(count, "reload", gated);
    long t0 = System.nanoTime();
    cfg.config().set(spec, "prod", "web", Map.of("GREETING", "hola"), EDIT);
    long tookMs = (System.nanoTime() - t0) / 1_000_000;

    assertThat(maxInFlight.get()).as("signals in flight at once").isEqualTo(count);
    assertThat(tookMs).as("reload of %d nodes took %d ms", count, tookMs).isLessThan(5_000);
    for (NodeInfo n : sim.running()) {
      assertThat(json(n, "config.json").path("values").path("GREETING").asText()).isEqualTo("hola");
      assertThat(sim.fake.signals(n.ref())).containsExactly("HUP");
    }
  }

  @Test
  void aFlagChangeReRendersFlagsJsonOfEveryNodeWithoutARelease() throws IOException {
    open(2, "rolling");
    cfg.flags().put(spec, "prod", Flag.bool("new-checkout", 100), EDIT);

    assertThat(sim.controller.releases("web")).hasSize(1);
    for (NodeInfo n : sim.running()) {
      JsonNode flags = json(n, "flags.json");
      assertThat(flags.path("flags").path("new-checkout").path("value").asText()).isEqualTo("true");
      assertThat(flags.path("revision").asLong()).isEqualTo(1);
      assertThat(sim.fake.signals(n.ref())).isEmpty();
    }
    cfg.flags().kill(spec, "prod", "new-checkout", EDIT);
    for (NodeInfo n : sim.running()) {
      assertThat(json(n, "flags.json").path("flags").path("new-checkout").path("reason").asText()).contains("kill");
    }
  }

  @Test
  void aSecretChangeIsANewReleaseAndTheSecretTravelsOnlyAsAFile() {
    open(2, "rolling");
    cfg.secrets().set(spec, "prod", "web", "db-password", SECRET.getBytes(StandardCharsets.UTF_8), EDIT);
    assertThat(delivery.secretsChanged("prod", "web")).containsExactly("web:v2");
    sim.runUntil(Duration.ofSeconds(60), s -> s.settledOn("web:v2", 2));

    for (NodeInfo n : sim.running()) {
      NodeSpec s = spec(n);
      assertThat(new String(s.secret("db-password"), StandardCharsets.UTF_8)).isEqualTo(SECRET);
      assertThat(sim.fake.secretFile(n.ref(), "db-password")).hasValueSatisfying(
          v -> assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo(SECRET));
      assertThat(s.secret("herd-node-token")).isNotNull();
      assertThat(cfg.tokens().verify(new String(s.secret("herd-node-token"), StandardCharsets.UTF_8)))
          .hasValueSatisfying(id -> assertThat(id.node()).isEqualTo(n.name()));
      assertThat(s.effectiveEnv().values()).noneMatch(v -> v.contains(SECRET));
      assertThat(s.labels().values()).noneMatch(v -> v.contains(SECRET));
      assertThat(n.env().values()).noneMatch(v -> v.contains(SECRET));
      assertThat(s.command()).noneMatch(v -> v.contains(SECRET));
    }
    assertThat(sim.events()).noneMatch(e -> e.reason().contains(SECRET));
    assertThat(sim.controller.releases("web").get(0).secretRevisions()).containsEntry("db-password", 1L);
  }

  @Test
  void anExposedFleetsNodesGetItsFrontDoorUrlAndStatusShowsIt() throws IOException {
    open(1, "rolling");
    assertThat(spec(sim.running().get(0)).env()).doesNotContainKey("HERD_WEB_URL");
    assertThat(json(sim.running().get(0), "discovery.json").path("front_doors").isEmpty()).isTrue();
    assertThat(sim.controller.status("web").address()).isEmpty();
    // A new release (a front door alone is a fleet update and replaces no node; the config change rolls it).
    apply(yaml(1, "rolling").replace("    count: 1\n", "    count: 1\n    expose: {port: 29099, bind: 127.0.0.1}\n")
        .replace("GREETING: hello", "GREETING: hi"));
    sim.runUntil(Duration.ofSeconds(30), s -> s.running().stream().anyMatch(n -> spec(n).env().containsKey("HERD_WEB_URL")));
    NodeInfo n = sim.running().stream().filter(x -> spec(x).env().containsKey("HERD_WEB_URL")).findFirst().orElseThrow();
    assertThat(spec(n).env().get("HERD_WEB_URL")).isEqualTo("http://127.0.0.1:29099");
    assertThat(sim.controller.status("web").address()).contains("http://127.0.0.1:29099");
    // discovery.json gives the one address beside the node endpoints, on every node of the environment
    JsonNode door = json(n, "discovery.json").path("front_doors").path("web");
    assertThat(door.path("url").asText()).isEqualTo("http://127.0.0.1:29099");
    assertThat(door.path("address").asText()).isEqualTo("127.0.0.1:29099");
    assertThat(delivery.discovery("prod").frontDoors()).containsEntry("web", "http://127.0.0.1:29099");
  }

  @Test
  void discoveryListsOnlyHealthyNodesAndARemovedNodeLeavesIt() throws IOException {
    open(2, "rolling");
    for (NodeInfo n : sim.running()) {
      assertThat(endpoints(n)).containsExactly("web-1", "web-2");
    }
    sim.fake.slowStart("web-3-g1", Duration.ofSeconds(6));
    sim.controller.scale("web", 3);
    sim.tick();
    NodeInfo web3 = sim.running().stream().filter(n -> n.name().equals("web-3-g1")).findFirst().orElseThrow();
    assertThat(spec(web3).env().get("HERD_WEB_ENDPOINTS")).as("endpoints at launch").contains("127.0.0.1:").contains(",");
    for (NodeInfo n : sim.running()) {
      assertThat(endpoints(n)).as("web-3 is not healthy yet").containsExactly("web-1", "web-2");
    }
    sim.runUntil(Duration.ofSeconds(20), s -> s.status().healthy() == 3);
    for (NodeInfo n : sim.running()) {
      assertThat(endpoints(n)).containsExactly("web-1", "web-2", "web-3");
    }
    sim.controller.scale("web", 2);
    sim.runUntil(Duration.ofSeconds(20), s -> s.running().size() == 2);
    for (NodeInfo n : sim.running()) {
      assertThat(endpoints(n)).containsExactly("web-1", "web-2");
    }
    assertThat(dir.resolve("nodes/web/web-3-g1")).doesNotExist();
    assertThat(cfg.tokens().verify("hnt_anything")).isEmpty();
  }

  // ---- helpers -------------------------------------------------------------------------------

  private NodeSpec spec(NodeInfo n) {
    return sim.fake.specOf(new NodeRef(Sim.PROJECT, n.name())).orElseThrow();
  }

  private Path nodeDir(NodeInfo n) {
    return dir.resolve("nodes/web").resolve(n.name());
  }

  private JsonNode json(NodeInfo n, String file) throws IOException {
    return JSON.readTree(nodeDir(n).resolve(file).toFile());
  }

  private List<String> endpoints(NodeInfo n) throws IOException {
    List<String> out = new ArrayList<>();
    json(n, "discovery.json").path("fleets").path("web").forEach(e -> out.add(e.path("node").asText()));
    return out;
  }
}
