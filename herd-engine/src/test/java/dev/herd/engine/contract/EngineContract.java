package dev.herd.engine.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herd.engine.Engine;
import dev.herd.engine.EngineEvent;
import dev.herd.engine.EnsuredImage;
import dev.herd.engine.FsChange;
import dev.herd.engine.ImageMissing;
import dev.herd.engine.ImageSource;
import dev.herd.engine.Labels;
import dev.herd.engine.LogLine;
import dev.herd.engine.NameConflict;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeRef;
import dev.herd.engine.NodeSpec;
import dev.herd.engine.NodeState;
import dev.herd.engine.NodeStats;
import dev.herd.engine.PortInUse;
import dev.herd.engine.Subscription;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Engine} must do, run against the fake ({@code FakeEngineContractTest}) and
 * the real Podman ({@code PodmanEngineContractIT}) with the same assertions. Subclasses
 * supply the engine and the few things only a human or the host can do (exec into a node,
 * create a container herd did not make, let time pass).
 */
public abstract class EngineContract {

  /** What a node's process does; each engine's fixture maps it to a real command or a fake behaviour. */
  protected enum Program {
    /** Prints {@value #STARTUP_LINE}, serves HTTP on $PORT, exits 0 on SIGTERM. */
    SERVE,
    /** Runs until killed: SIGTERM is ignored. */
    IGNORE_TERM,
    /** Exits with code 3 one second after start. */
    EXIT_3_AFTER_1S,
    /** Prints {@value #STARTUP_LINE}, then keeps one CPU core busy until killed. */
    BURN_CPU
  }

  protected static final String STARTUP_LINE = "herd-node-up";
  protected static final Duration WAIT = Duration.ofSeconds(30);

  protected Engine engine;
  protected String project;
  private final List<String> foreign = new ArrayList<>();
  private final List<String> foreignVolumes = new ArrayList<>();

  /** Opens (or returns) the engine under test. Called before each test. */
  protected abstract Engine openEngine();

  /** Closes the engine after each test; an IT sharing one engine per class overrides this. */
  protected void closeEngine(Engine e) {
    e.close();
  }

  /** The clock the engine's timestamps and stop durations are measured on. */
  protected abstract Clock clock();

  /** The test image (a busybox that can serve HTTP). */
  protected abstract ImageSource testImage();

  /** Gives the node the program (a command on a real engine, a behaviour in the fake). */
  protected abstract NodeSpec withProgram(NodeSpec spec, Program program);

  /** Lets (at least) this much time pass: the fake advances its clock, a real engine waits. */
  protected abstract void letTimePass(Duration d);

  /** Creates, without starting, a container herd did not create. */
  protected abstract void createForeignContainer(String name, Map<String, String> labels);

  protected abstract boolean containerExists(String name);

  protected abstract void removeForeignContainer(String name);

  /** Runs a harmless process inside the node, as a human would with podman exec. */
  protected abstract void execByHand(NodeInfo node);

  /** Writes a file inside the node by hand; true when the write succeeded. */
  protected abstract boolean writeByHand(NodeInfo node, String path);

  /** What the node's process reads at /run/secrets/name. */
  protected abstract Optional<byte[]> readSecretInNode(NodeInfo node, String name);

  /** What a process of uid:gid in the node reads at /run/secrets/name (podman exec --user); empty when it cannot. */
  protected abstract Optional<byte[]> readSecretInNodeAs(NodeInfo node, String name, int uid, int gid);

  /** Whether the host still holds the node's secrets directory. */
  protected abstract boolean secretsDirExists(NodeRef node);

  /** Makes the running node write a line containing marker to its output. */
  protected abstract void makeNodeLog(NodeInfo node, String marker);

  /** A host port no one uses. */
  protected abstract int freePort();

  /** What the node's process reads at {@code path} (empty when it cannot). */
  protected abstract Optional<byte[]> readFileInNode(NodeInfo node, String path);

  /** Creates a volume herd did not create. */
  protected abstract void createForeignVolume(String name);

  protected abstract void removeForeignVolume(String name);

  /** A command that prints the numbers 1 to 30000, one a line. */
  /** The file at {@code path} in the node as that uid/gid reads it (engine CLI exec), empty when they cannot. */
  protected abstract Optional<byte[]> readFileInNodeAs(NodeInfo node, String path, int uid, int gid);

  protected abstract List<String> countCommand();

  /** A command that exits 3 after writing "oops" to stderr. */
  protected abstract List<String> failingCommand();

  @BeforeEach
  void openContract() {
    engine = openEngine();
    project = "ct" + Long.toHexString(ThreadLocalRandom.current().nextLong(1L << 32, 1L << 36));
  }

  @AfterEach
  void cleanUpContract() {
    try {
      for (NodeInfo n : engine.listNodes(project)) {
        engine.removeNode(n.ref());
      }
      for (String name : foreign) {
        removeForeignContainer(name);
      }
      for (dev.herd.engine.VolumeInfo v : engine.listVolumes(project)) {
        engine.removeVolume(project, v.name());
      }
      for (String name : foreignVolumes) {
        removeForeignVolume(name);
      }
    } finally {
      closeEngine(engine);
    }
  }

  protected NodeSpec.Builder spec(String node) {
    EnsuredImage image = engine.ensureImage(testImage());
    return NodeSpec.builder().project(project).fleet("web").node(node).generation(1)
        .releaseId("r1").imageDigest(image.digest()).port(freePort()).env("GREETING", "hello")
        .writablePath("/scratch");
  }

  protected NodeInfo start(NodeSpec.Builder b, Program p) {
    return engine.startNode(withProgram(b.build(), p));
  }

  @Test
  void ensuringAnImageTwiceTransfersItAtMostOnce() {
    EnsuredImage first = engine.ensureImage(testImage());
    EnsuredImage second = engine.ensureImage(testImage());
    assertThat(first.digest()).isEqualTo(testImage().digest());
    assertThat(second.transferred()).isFalse();
    assertThat(second.engineRef()).isEqualTo(EnsuredImage.refFor(testImage().digest()));
  }

  @Test
  void nodeLifecycleCreateListInspectStopRemove() {
    NodeSpec.Builder b = spec("web-1").generation(4).releaseId("rel-7").memoryBytes(64L << 20);
    NodeInfo started = start(b, Program.SERVE);
    NodeRef ref = started.ref();

    assertThat(started.state()).isEqualTo(NodeState.RUNNING);
    assertThat(started.ref()).isEqualTo(new NodeRef(project, "web-1"));
    assertThat(started.fleet()).isEqualTo("web");
    assertThat(started.generation()).isEqualTo(4);
    assertThat(started.releaseId()).isEqualTo("rel-7");
    assertThat(started.imageDigest()).isEqualTo(testImage().digest());
    assertThat(started.labels()).containsEntry(Labels.MANAGED, "true").containsEntry(Labels.PROJECT, project)
        .containsEntry(Labels.FLEET, "web").containsEntry(Labels.NODE, "web-1")
        .containsEntry(Labels.GENERATION, "4").containsEntry(Labels.RELEASE, "rel-7");
    assertThat(started.env()).containsEntry("PORT", Integer.toString(started.port()))
        .containsEntry("GREETING", "hello");
    assertThat(started.readOnlyRoot()).isTrue();

    assertThat(engine.listNodes(project)).extracting(NodeInfo::ref).containsExactly(ref);
    assertThat(engine.inspectNode(ref)).get().extracting(NodeInfo::id).isEqualTo(started.id());

    assertThat(engine.stopNode(ref, Duration.ofSeconds(10))).isTrue();
    NodeInfo stopped = engine.inspectNode(ref).orElseThrow();
    assertThat(stopped.state()).isEqualTo(NodeState.EXITED);
    assertThat(stopped.exitCode()).isZero();
    assertThat(stopped.finishedAt()).isNotNull();
    assertThat(engine.listNodes(project)).hasSize(1);

    assertThat(engine.removeNode(ref)).isTrue();
    assertThat(engine.inspectNode(ref)).isEmpty();
    assertThat(engine.listNodes(project)).isEmpty();
    assertThat(containerExists(ref.containerName())).isFalse();
    assertThat(engine.removeNode(ref)).as("remove is idempotent").isFalse();
    assertThat(engine.stopNode(ref, Duration.ofSeconds(1))).isFalse();
  }

  @Test
  void aFleetsListShowsOnlyItsNodesAndTheirCurrentState() {
    NodeInfo web = start(spec("web-1"), Program.SERVE);
    NodeInfo api = start(spec("api-1").fleet("api"), Program.SERVE);
    String otherProject = project + "x";
    String other = new NodeRef(otherProject, "web-9").containerName();
    foreign.add(other);
    createForeignContainer(other, Map.of(Labels.MANAGED, "true", Labels.PROJECT, otherProject, Labels.FLEET, "web",
        Labels.NODE, "web-9", "herd.test", "1"));

    assertThat(engine.listNodes(project, "web")).extracting(NodeInfo::ref).containsExactly(web.ref());
    assertThat(engine.listNodes(project, "api")).extracting(NodeInfo::ref).containsExactly(api.ref());
    assertThat(engine.listNodes(project, "db")).isEmpty();
    assertThat(engine.listNodes(project, "web")).extracting(NodeInfo::state).containsExactly(NodeState.RUNNING);

    // a list after a change shows the change (an engine that caches what it inspected must notice)
    assertThat(engine.stopNode(web.ref(), Duration.ofSeconds(10))).isTrue();
    NodeInfo stopped = engine.listNodes(project, "web").getFirst();
    assertThat(stopped.state()).isEqualTo(NodeState.EXITED);
    assertThat(stopped.exitCode()).isNotNull();
    assertThat(stopped.finishedAt()).isNotNull();
    assertThat(engine.removeNode(web.ref())).isTrue();
    assertThat(engine.listNodes(project, "web")).isEmpty();
    assertThat(engine.listNodes(project)).extracting(NodeInfo::ref).containsExactly(api.ref());
  }

  @Test
  void foreignContainersAreInvisibleAndUntouched() {
    NodeRef ref = new NodeRef(project, "web-1");
    String name = ref.containerName();
    foreign.add(name);
    createForeignContainer(name, Map.of("herd.test", "1"));
    String otherProject = project + "x";
    String otherName = new NodeRef(otherProject, "web-2").containerName();
    foreign.add(otherName);
    createForeignContainer(otherName, Map.of(Labels.MANAGED, "true", Labels.PROJECT, otherProject,
        Labels.NODE, "web-2", "herd.test", "1"));

    assertThat(engine.listNodes(project)).isEmpty();
    assertThat(engine.inspectNode(ref)).isEmpty();
    assertThat(engine.stopNode(ref, Duration.ofSeconds(1))).isFalse();
    assertThat(engine.removeNode(ref)).isFalse();
    assertThat(engine.removeNode(new NodeRef(project, "web-2"))).isFalse();

    assertThatThrownBy(() -> start(spec("web-1"), Program.SERVE))
        .isInstanceOfSatisfying(NameConflict.class, c -> {
          assertThat(c.foreign()).isTrue();
          assertThat(c.containerName()).isEqualTo(name);
        });
    assertThat(containerExists(name)).isTrue();
    assertThat(containerExists(otherName)).isTrue();
    assertThat(secretsDirExists(ref)).isFalse();
  }

  @Test
  void listForeignReportsUnlabelledLookalikesAndNeverHerdNodesNorTouchesThem() {
    NodeInfo mine = start(spec("web-1"), Program.SERVE);
    String lookalike = project + "-web-2";
    foreign.add(lookalike);
    createForeignContainer(lookalike, Map.of("herd.test", "1"));
    String otherProject = project + "x";
    String otherHerd = new NodeRef(otherProject, "web-3").containerName();
    foreign.add(otherHerd);
    createForeignContainer(otherHerd, Map.of(Labels.MANAGED, "true", Labels.PROJECT, otherProject,
        Labels.NODE, "web-3", "herd.test", "1"));
    String unrelated = "zz" + project + "-db";
    foreign.add(unrelated);
    createForeignContainer(unrelated, Map.of("herd.test", "1"));

    List<dev.herd.engine.ForeignContainer> found = engine.listForeign(List.of(project + "-web-", otherProject + "-web-"), List.of());

    assertThat(found).extracting(dev.herd.engine.ForeignContainer::name).containsExactly(lookalike);
    assertThat(found.getFirst().id()).isNotBlank();
    assertThat(containerExists(lookalike)).isTrue();
    assertThat(engine.inspectNode(mine.ref())).isPresent();
    assertThat(engine.listForeign(List.of(), List.of())).isEmpty();
  }

  @Test
  void startingANodeTwiceIsANameConflictAndKeepsTheFirst() {
    NodeInfo first = start(spec("web-1"), Program.SERVE);
    assertThatThrownBy(() -> start(spec("web-1"), Program.SERVE))
        .isInstanceOfSatisfying(NameConflict.class, c -> assertThat(c.foreign()).isFalse());
    assertThat(engine.inspectNode(first.ref())).get()
        .satisfies(n -> assertThat(n.id()).isEqualTo(first.id()))
        .satisfies(n -> assertThat(n.state()).isEqualTo(NodeState.RUNNING));
  }

  @Test
  void startingWithAnImageNeverEnsuredIsImageMissing() {
    String unknown = "sha256:" + "0123456789abcdef".repeat(4);
    NodeSpec s = spec("web-1").imageDigest(unknown).build();
    assertThatThrownBy(() -> engine.startNode(withProgram(s, Program.SERVE)))
        .isInstanceOfSatisfying(ImageMissing.class, m -> assertThat(m.digest()).isEqualTo(unknown));
    assertThat(containerExists(s.ref().containerName())).isFalse();
    assertThat(secretsDirExists(s.ref())).isFalse();
  }

  @Test
  void aTakenPortIsPortInUseAndLeavesNothingBehind() {
    NodeInfo first = start(spec("web-1"), Program.SERVE);
    awaitServing(first);
    NodeSpec.Builder second = spec("web-2").port(first.port()).secret("token", bytes("tok-" + project));
    assertThatThrownBy(() -> start(second, Program.SERVE))
        .isInstanceOfSatisfying(PortInUse.class, p -> assertThat(p.port()).isEqualTo(first.port()));
    NodeRef ref2 = new NodeRef(project, "web-2");
    assertThat(containerExists(ref2.containerName())).isFalse();
    assertThat(secretsDirExists(ref2)).isFalse();
  }

  @Test
  void secretsAreFilesUnderRunSecretsOnlyAndGoAwayWithTheNode() {
    String value = "pw-" + project + "-" + ThreadLocalRandom.current().nextInt(1_000_000);
    NodeInfo node = start(spec("web-1").secret("db_password", bytes(value)), Program.SERVE);

    assertThat(readSecretInNode(node, "db_password")).get()
        .extracting(v -> new String(v, StandardCharsets.UTF_8)).isEqualTo(value);
    NodeInfo inspected = engine.inspectNode(node.ref()).orElseThrow();
    assertThat(inspected.env().values()).noneMatch(v -> v.contains(value));
    assertThat(inspected.env().keySet()).noneMatch(k -> k.toLowerCase().contains("db_password"));
    assertThat(inspected.labels().values()).noneMatch(v -> v.contains(value));
    assertThat(secretsDirExists(node.ref())).isTrue();

    engine.removeNode(node.ref());
    assertThat(secretsDirExists(node.ref())).isFalse();
  }

  @Test
  void aNodesSecretsAreReadByTheUserItRunsAsAndByNoOtherUser() {
    String value = "tok-" + project;
    NodeInfo node = start(spec("web-1").runAs(new NodeSpec.RunAs(4321, 4321)).secret("token", bytes(value)), Program.SERVE);
    assertThat(readSecretInNodeAs(node, "token", 4321, 4321)).get()
        .extracting(v -> new String(v, StandardCharsets.UTF_8)).isEqualTo(value);
    assertThat(readSecretInNodeAs(node, "token", 4444, 4444)).isEmpty();
    assertThat(readSecretInNodeAs(node, "token", 4444, 4321)).isEmpty();
  }

  @Test
  void eventsReportStartExecDieAndRemoveOfThisProjectOnly() {
    List<EngineEvent> events = new CopyOnWriteArrayList<>();
    Instant since = clock().instant().minusSeconds(1);
    try (Subscription sub = engine.events(project, since, events::add)) {
      NodeInfo node = start(spec("web-1"), Program.SERVE);
      awaitServing(node);
      await().atMost(WAIT).until(() -> has(events, EngineEvent.Started.class, node));
      execByHand(node);
      await().atMost(WAIT).until(() -> has(events, EngineEvent.Exec.class, node));
      engine.stopNode(node.ref(), Duration.ofSeconds(10));
      await().atMost(WAIT).until(() -> events.stream().anyMatch(
          e -> e instanceof EngineEvent.Died d && d.node().equals(node.ref()) && d.exitCode() == 0));
      engine.removeNode(node.ref());
      await().atMost(WAIT).until(() -> has(events, EngineEvent.Removed.class, node));
      assertThat(events).allSatisfy(e -> assertThat(e.node().project()).isEqualTo(project));
      assertThat(events).allSatisfy(e -> assertThat(e.containerId()).isEqualTo(node.id()));
    }
  }

  @Test
  void aCrashIsReportedWithItsExitCode() {
    List<EngineEvent> events = new CopyOnWriteArrayList<>();
    try (Subscription sub = engine.events(project, clock().instant().minusSeconds(1), events::add)) {
      NodeInfo node = start(spec("web-1"), Program.EXIT_3_AFTER_1S);
      letTimePass(Duration.ofSeconds(2));
      await().atMost(WAIT).until(() -> engine.inspectNode(node.ref()).orElseThrow().state() == NodeState.EXITED);
      assertThat(engine.inspectNode(node.ref()).orElseThrow().exitCode()).isEqualTo(3);
      await().atMost(WAIT).until(() -> events.stream().anyMatch(
          e -> e instanceof EngineEvent.Died d && d.node().equals(node.ref()) && d.exitCode() == 3));
    }
  }

  @Test
  void stopWaitsTheGracePeriodForAProcessIgnoringTermThenKills() {
    NodeInfo node = start(spec("web-1"), Program.IGNORE_TERM);
    letTimePass(Duration.ofMillis(500));
    Duration grace = Duration.ofSeconds(2);
    Instant t0 = clock().instant();
    engine.stopNode(node.ref(), grace);
    Duration took = Duration.between(t0, clock().instant());
    assertThat(took).isGreaterThanOrEqualTo(grace).isLessThan(grace.plusSeconds(10));
    assertThat(engine.inspectNode(node.ref()).orElseThrow().exitCode()).isEqualTo(137);
  }

  @Test
  void aSignalReachesTheNodesProcessAndOnlyHerdsRunningNodes() {
    NodeInfo node = start(spec("web-1"), Program.SERVE);
    awaitServing(node);
    assertThatThrownBy(() -> engine.signal(node.ref(), "SIGHUP")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("HUP");
    assertThat(engine.signal(new NodeRef(project, "web-9"), "HUP")).as("no such node").isFalse();
    // SERVE traps TERM and exits 0: the signal reached the process itself, not a kill by the engine
    assertThat(engine.signal(node.ref(), "TERM")).isTrue();
    await().atMost(WAIT).until(() -> engine.inspectNode(node.ref()).orElseThrow().state() == NodeState.EXITED);
    assertThat(engine.inspectNode(node.ref()).orElseThrow().exitCode()).isZero();
    assertThat(engine.signal(node.ref(), "HUP")).as("a stopped node gets no signal").isFalse();
  }

  @Test
  void aNodeListedRunningGetsNoSignalOnceStoppedOrRemoved() {
    NodeInfo stopped = start(spec("web-1"), Program.SERVE);
    NodeInfo removed = start(spec("web-2"), Program.SERVE);
    awaitServing(stopped);
    awaitServing(removed);
    // the engine last saw both running (an engine may signal what it listed without asking again)
    assertThat(engine.listNodes(project)).extracting(NodeInfo::state).containsOnly(NodeState.RUNNING);
    engine.stopNode(stopped.ref(), Duration.ofSeconds(5));
    engine.removeNode(removed.ref());

    assertThat(engine.signal(stopped.ref(), "HUP")).as("stopped since the list").isFalse();
    assertThat(engine.signal(removed.ref(), "HUP")).as("removed since the list").isFalse();
  }

  @Test
  void stopReturnsBeforeTheGracePeriodWhenTheProcessHonoursTerm() {
    NodeInfo node = start(spec("web-1"), Program.SERVE);
    awaitServing(node);
    Duration grace = Duration.ofSeconds(20);
    Instant t0 = clock().instant();
    engine.stopNode(node.ref(), grace);
    assertThat(Duration.between(t0, clock().instant())).isLessThan(Duration.ofSeconds(10));
    assertThat(engine.inspectNode(node.ref()).orElseThrow().exitCode()).isZero();
  }

  @Test
  void diffReportsAHandWrittenFileAndNothingElse() {
    NodeInfo node = start(spec("web-1").readOnlyRoot(false), Program.SERVE);
    awaitServing(node);
    assertThat(engine.diff(node.ref())).as("a fresh node has no changes").isEmpty();
    assertThat(writeByHand(node, "/www/drift.txt")).isTrue();
    assertThat(engine.diff(node.ref())).containsExactly(new FsChange("/www/drift.txt", FsChange.Kind.ADDED));
  }

  @Test
  void aReadOnlyRootRejectsWritesOutsideWritablePathsAndTmpfsIsNotDrift() {
    NodeInfo node = start(spec("web-1"), Program.SERVE);
    awaitServing(node);
    assertThat(writeByHand(node, "/www/drift.txt")).isFalse();
    assertThat(writeByHand(node, "/scratch/work.txt")).isTrue();
    assertThat(engine.diff(node.ref())).isEmpty();
  }

  @Test
  void aReadOnlyRootHasScratchTmpfsAtRunTmpAndVarTmpOnEveryEngine() {
    // Podman mounts them itself, herd adds them on Docker: the same node behaves the same on both
    NodeInfo node = start(spec("web-1"), Program.SERVE);
    awaitServing(node);
    assertThat(writeByHand(node, "/tmp/work.txt")).isTrue();
    assertThat(writeByHand(node, "/var/tmp/work.txt")).isTrue();
    assertThat(writeByHand(node, "/run/app.pid")).isTrue();
    assertThat(writeByHand(node, "/www/drift.txt")).isFalse();
    assertThat(engine.diff(node.ref())).isEmpty();
  }

  @Test
  void logsAreStreamedWithFollowAndSince() {
    NodeInfo node = start(spec("web-1"), Program.SERVE);
    await().atMost(WAIT).until(() -> logText(node, null).contains(STARTUP_LINE));

    List<LogLine> followed = new CopyOnWriteArrayList<>();
    // engines keep log times to the second; leave a gap so "since" cleanly excludes the start
    letTimePass(Duration.ofMillis(1100));
    Instant since = clock().instant();
    try (Subscription sub = engine.followLogs(node.ref(), since, followed::add)) {
      String marker = "marker-" + project;
      makeNodeLog(node, marker);
      await().atMost(WAIT).until(() -> followed.stream().anyMatch(l -> l.text().contains(marker)));
      assertThat(followed).noneMatch(l -> l.text().contains(STARTUP_LINE));
    }
  }

  @Test
  void statsReportMemoryAgainstTheLimit() {
    NodeInfo node = start(spec("web-1").memoryBytes(64L << 20), Program.SERVE);
    awaitServing(node);
    NodeStats s = engine.stats(node.ref());
    assertThat(s.memoryBytes()).isPositive();
    assertThat(s.memoryLimitBytes()).isEqualTo(64L << 20);
    assertThat(s.pids()).isPositive();
  }

  @Test
  void statsMeasureTheCpuTimeABusyNodeUses() {
    NodeInfo busy = start(spec("web-1"), Program.BURN_CPU);
    awaitServing(busy);
    NodeStats a = engine.stats(busy.ref());
    letTimePass(Duration.ofSeconds(2));
    NodeStats b = engine.stats(busy.ref());
    assertThat(b.at()).isAfter(a.at());
    assertThat(b.cpuNanos()).isGreaterThan(a.cpuNanos());
    // one busy core, but the machine may be shared by many builds (a load of 12 on 2 cores gave
    // it 0.23): ask for a share an idle node never reaches
    assertThat(b.coresSince(a)).isGreaterThan(0.05);
  }

  /** Waits until the node's program is up (its startup line appeared). */
  protected void awaitServing(NodeInfo node) {
    await().atMost(WAIT).until(() -> logText(node, null).contains(STARTUP_LINE));
  }

  protected String logText(NodeInfo node, Instant since) {
    StringBuilder sb = new StringBuilder();
    engine.logs(node.ref(), since).forEach(l -> sb.append(l.text()).append('\n'));
    return sb.toString();
  }

  private static boolean has(List<EngineEvent> events, Class<? extends EngineEvent> type, NodeInfo node) {
    return events.stream().anyMatch(e -> type.isInstance(e) && e.node().equals(node.ref()));
  }

  protected static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ---- named volumes and exec -------------------------------------------------------------

  @Test
  void aVolumeOutlivesItsNodeAndTheNextGenerationSeesItsFiles() {
    NodeInfo first = start(spec("db-1").fleet("db").volume("data", "/data"), Program.SERVE);
    assertThat(first.readOnlyRoot()).isTrue();
    assertThat(writeByHand(first, "/data/entry.txt")).as("the volume is writable on a read-only root").isTrue();
    assertThat(engine.diff(first.ref())).as("a volume is not a change against the image").isEmpty();
    engine.removeNode(first.ref());

    String name = dev.herd.engine.VolumeInfo.engineName(project, "db", "db-1", "data");
    assertThat(engine.listVolumes(project)).containsExactly(new dev.herd.engine.VolumeInfo(name, project, "db", "db-1", "data"));
    NodeInfo second = start(spec("db-1").fleet("db").generation(2).volume("data", "/data"), Program.SERVE);
    assertThat(readFileInNode(second, "/data/entry.txt").map(b -> new String(b, StandardCharsets.UTF_8))).contains("touched\n");
  }

  @Test
  void aVolumeInUseIsNotRemovedAndAFreeOneIs() {
    NodeInfo node = start(spec("db-1").fleet("db").volume("data", "/data"), Program.SERVE);
    String name = dev.herd.engine.VolumeInfo.engineName(project, "db", "db-1", "data");
    engine.stopNode(node.ref(), Duration.ofSeconds(10));
    assertThatThrownBy(() -> engine.removeVolume(project, name)).isInstanceOf(dev.herd.engine.EngineFailure.class)
        .satisfies(e -> assertThat(((dev.herd.engine.EngineFailure) e).status()).isEqualTo(409));
    engine.removeNode(node.ref());
    assertThat(engine.removeVolume(project, name)).isTrue();
    assertThat(engine.listVolumes(project)).isEmpty();
    assertThat(engine.removeVolume(project, name)).as("idempotent").isFalse();
  }

  @Test
  void aForeignVolumeOfTheSameNameIsNeitherUsedNorRemoved() {
    String name = dev.herd.engine.VolumeInfo.engineName(project, "db", "db-1", "data");
    foreignVolumes.add(name);
    createForeignVolume(name);
    assertThatThrownBy(() -> start(spec("db-1").fleet("db").volume("data", "/data"), Program.SERVE))
        .isInstanceOf(dev.herd.engine.EngineFailure.class).hasMessageContaining(name);
    assertThat(engine.inspectNode(new NodeRef(project, "db-1"))).isEmpty();
    assertThat(engine.listVolumes(project)).isEmpty();
    assertThat(engine.removeVolume(project, name)).isFalse();
  }

  @Test
  void anExportedVolumeRestoresIntoAFreshVolumeBeforeTheNodeStarts() throws Exception {
    NodeInfo first = start(spec("db-1").fleet("db").volume("data", "/data"), Program.SERVE);
    writeByHand(first, "/data/entry.txt");
    java.nio.file.Path archive = java.nio.file.Files.createTempFile("herd-volume-", ".tar");
    try {
      try (var out = java.nio.file.Files.newOutputStream(archive)) {
        engine.exportVolume(first.ref(), "data", out);
      }
      assertThat(dev.herd.engine.fake.FakeTar.read(archive)).containsOnlyKeys("entry.txt");
      engine.removeNode(first.ref());
      engine.removeVolume(project, dev.herd.engine.VolumeInfo.engineName(project, "db", "db-1", "data"));

      NodeInfo empty = start(spec("db-1").fleet("db").generation(2).volume("data", "/data"), Program.SERVE);
      assertThat(readFileInNode(empty, "/data/entry.txt")).as("a new volume is empty").isEmpty();
      engine.removeNode(empty.ref());
      engine.removeVolume(project, dev.herd.engine.VolumeInfo.engineName(project, "db", "db-1", "data"));

      NodeInfo restored = engine.startNode(withProgram(spec("db-1").fleet("db").generation(3).volume("data", "/data").build(),
          Program.SERVE), Map.of("data", archive));
      assertThat(readFileInNode(restored, "/data/entry.txt").map(b -> new String(b, StandardCharsets.UTF_8))).contains("touched\n");
      assertThatThrownBy(() -> engine.exportVolume(restored.ref(), "logs", OutputStream.nullOutputStream()))
          .isInstanceOf(dev.herd.engine.EngineFailure.class).hasMessageContaining("logs");
    } finally {
      java.nio.file.Files.deleteIfExists(archive);
    }
  }

  @Test
  void execWritesTheCommandsStdoutAndReportsItsExitCode() {
    NodeInfo node = start(spec("web-1"), Program.SERVE);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    dev.herd.engine.ExecResult counted = engine.exec(node.ref(), countCommand(), out);
    assertThat(counted.exitCode()).isZero();
    StringBuilder want = new StringBuilder();
    for (int i = 1; i <= 30000; i++) {
      want.append(i).append('\n');
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(want.toString());

    dev.herd.engine.ExecResult failed = engine.exec(node.ref(), failingCommand(), OutputStream.nullOutputStream());
    assertThat(failed.exitCode()).isEqualTo(3);
    assertThat(failed.stderr()).contains("oops");
    engine.stopNode(node.ref(), Duration.ofSeconds(10));
    assertThatThrownBy(() -> engine.exec(node.ref(), countCommand(), OutputStream.nullOutputStream()))
        .isInstanceOf(dev.herd.engine.EngineFailure.class);
  }

  @Test
  protected void aFileCopiedInIsReadByTheNodesUserOnlyAndRemovable() throws Exception {
    NodeInfo node = start(spec("web-1").readOnlyRoot(true), Program.SERVE);
    java.nio.file.Path file = java.nio.file.Files.createTempFile("herd-copy-in", ".bin");
    try {
      byte[] content = new byte[300_000]; // more than one pipe buffer and tar block
      ThreadLocalRandom.current().nextBytes(content);
      java.nio.file.Files.write(file, content);
      engine.copyFileIn(node.ref(), "/tmp/herd-in-test", file, new NodeSpec.RunAs(1000, 1000));
      assertThat(readFileInNodeAs(node, "/tmp/herd-in-test", 1000, 1000)).hasValueSatisfying(b -> assertThat(b).isEqualTo(content));
      assertThat(readFileInNodeAs(node, "/tmp/herd-in-test", 2000, 2000)).as("0600: no other user reads it").isEmpty();
      assertThat(engine.listNodes(project)).singleElement().satisfies(n -> assertThat(n.running()).isTrue());

      engine.stopNode(node.ref(), Duration.ofSeconds(10));
      assertThatThrownBy(() -> engine.copyFileIn(node.ref(), "/tmp/herd-in-test", file, NodeSpec.RunAs.ROOT))
          .isInstanceOf(dev.herd.engine.EngineFailure.class);
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }
}
