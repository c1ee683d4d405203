package dev.herd.control.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.ControllerEvent;
import dev.herd.control.state.EventKind;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeSpec;
import dev.herd.engine.NodeState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControllerDriftTest {
  @TempDir Path dir;
  DriftSim sim;

  @BeforeEach
  void open() {
    sim = new DriftSim(dir);
    sim.open();
  }

  @AfterEach
  void close() {
    sim.close();
  }

  @Test
  void anExecIntoANodeGetsItReplacedWithinOneReconcileAndTheEventNamesTheExec() {
    sim.apply(DriftSim.spec(2, "", ""));
    sim.settle(2);
    NodeInfo before = sim.node("web-2");
    sim.tick(Duration.ofSeconds(3));

    sim.fake.execByHand(before.ref(), "sh -c id");
    String at = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss").withZone(java.time.ZoneOffset.UTC)
        .format(sim.clock.instant());
    sim.controller.runPending(); // no time passes: the exec event alone triggers the pass

    assertThat(sim.fake.containerExists(before.ref().containerName())).isFalse();
    assertThat(sim.fake.listNodes(DriftSim.PROJECT)).extracting(NodeInfo::name).contains("web-1-g1", "web-2-g2");
    assertThat(sim.events(EventKind.NODE_REPLACED)).singleElement().extracting(ControllerEvent::reason)
        .isEqualTo("web-2 replaced: drift (tamper): exec \"sh -c id\" at " + at);
    assertThat(sim.events(EventKind.DRIFT_DETECTED)).singleElement().extracting(ControllerEvent::reason)
        .isEqualTo("web-2-g1 drift (tamper): exec \"sh -c id\" at " + at + " → replaced");
    assertThat(sim.controller.driftFindings("web", null)).singleElement().satisfies(f -> {
      assertThat(f.kind()).isEqualTo(DriftKind.TAMPER);
      assertThat(f.node()).isEqualTo("web-2");
      assertThat(f.action()).isEqualTo("replaced");
    });
    sim.settle(2);
    assertThat(sim.events(EventKind.NODE_REPLACED)).hasSize(1);
    // kept in the event log and the findings after the node is gone, and across a restart
    sim.close();
    sim.open();
    assertThat(sim.controller.driftFindings("web", null)).hasSize(1);
    assertThat(sim.events(EventKind.NODE_REPLACED)).hasSize(1);
  }

  @Test
  void reportPolicyRecordsTheFindingOnceAndKeepsTheNode() {
    sim.apply(DriftSim.spec(2, "drift: {tamper: report}", ""));
    sim.settle(2);
    NodeInfo before = sim.node("web-1");

    sim.fake.execByHand(before.ref(), "bash");
    for (int i = 0; i < 8; i++) {
      sim.tick(Duration.ofMinutes(1)); // passes, resyncs and diff intervals go by
    }
    sim.close();
    sim.open(); // the exec is replayed from the engine's history to the new controller
    sim.tick(Duration.ofMinutes(6));

    assertThat(sim.fake.inspectNode(before.ref())).get().extracting(NodeInfo::state).isEqualTo(NodeState.RUNNING);
    assertThat(sim.events(EventKind.DRIFT_DETECTED)).singleElement().extracting(ControllerEvent::reason).asString()
        .startsWith("web-1-g1 drift (tamper): exec \"bash\" at ").endsWith("→ reported");
    assertThat(sim.events(EventKind.NODE_REPLACED)).isEmpty();
    assertThat(sim.controller.driftFindings("web", null)).singleElement().extracting(DriftFinding::action).isEqualTo("reported");
  }

  /** Issue 10: a node reachable from other hosts is drift of kind exposure, reported by default. */
  @Test
  void aNodeListeningOnAllAddressesIsReportedAsExposureOnceAndKept() {
    sim.apply(DriftSim.spec(2, "", ""));
    sim.settle(2);
    NodeInfo web1 = sim.node("web-1");
    sim.tick(Duration.ofMinutes(2));
    assertThat(sim.controller.driftFindings("web", null)).as("nodes on ${HOST} are not exposed").isEmpty();

    sim.fake.listenByHand(web1.ref(), "0.0.0.0", web1.port());
    sim.fake.listenByHand(web1.ref(), "::", 9229);
    sim.fake.listenByHand(web1.ref(), "::1", 9230);
    for (int i = 0; i < 5; i++) {
      sim.tick(Duration.ofMinutes(1));
    }

    assertThat(sim.controller.driftFindings("web", null)).singleElement().satisfies(f -> {
      assertThat(f.kind()).isEqualTo(DriftKind.EXPOSURE);
      assertThat(f.node()).isEqualTo("web-1");
      assertThat(f.action()).isEqualTo("reported");
      assertThat(f.detail()).startsWith("listens on 0.0.0.0:" + web1.port() + ", [::]:9229, reachable from other hosts")
          .doesNotContain("9230");
    });
    assertThat(sim.events(EventKind.DRIFT_DETECTED)).singleElement().extracting(ControllerEvent::reason).asString()
        .startsWith("web-1-g1 drift (exposure): listens on 0.0.0.0:").endsWith("→ reported");
    assertThat(sim.fake.containerExists(web1.ref().containerName())).isTrue();
    assertThat(sim.events(EventKind.NODE_REPLACED)).isEmpty();
  }

  @Test
  void exposureIsConfigurableLikeTheOtherKinds() {
    sim.apply(DriftSim.spec(1, "drift: {exposure: replace}", ""));
    sim.settle(1);
    NodeInfo web1 = sim.node("web-1");
    sim.fake.listenByHand(web1.ref(), "0.0.0.0", web1.port());
    sim.tick(Duration.ofMinutes(2));

    assertThat(sim.events(EventKind.NODE_REPLACED)).singleElement().extracting(ControllerEvent::reason).asString()
        .startsWith("web-1 replaced: drift (exposure): listens on 0.0.0.0:" + web1.port());
    sim.settle(1);
    assertThat(sim.node("web-1").name()).isEqualTo("web-1-g2");
  }

  @Test
  void quarantinePolicyKeepsTheTamperedContainerStoppedAndStartsAReplacement() {
    sim.apply(DriftSim.spec(1, "drift: {tamper: quarantine}", ""));
    sim.settle(1);
    NodeInfo before = sim.node("web-1");

    sim.fake.pauseByHand(before.ref());
    sim.controller.runPending();

    assertThat(sim.events(EventKind.NODE_QUARANTINED)).singleElement().extracting(ControllerEvent::reason).asString()
        .startsWith("web-1 quarantined: drift (tamper): paused outside herd at 00:00:");
    assertThat(sim.fake.containerExists(before.ref().containerName())).isTrue();
    sim.tick(Duration.ofSeconds(5));
    assertThat(sim.fake.inspectNode(before.ref())).get().extracting(NodeInfo::state).isNotEqualTo(NodeState.RUNNING);
    assertThat(sim.node("web-1").name()).isEqualTo("web-1-g2");
    assertThat(sim.controller.status("web").healthy()).isEqualTo(1);
  }

  @Test
  void aRestartOutsideHerdIsTamper() {
    sim.apply(DriftSim.spec(1, "", ""));
    sim.settle(1);
    sim.tick(Duration.ofSeconds(10));
    sim.fake.restartByHand(sim.ref("web-1"));
    sim.controller.runPending();
    assertThat(sim.events(EventKind.NODE_REPLACED)).singleElement().extracting(ControllerEvent::reason).asString()
        .startsWith("web-1 replaced: drift (tamper): restarted outside herd at ");
  }

  @Test
  void filesystemDriftOnAWritableRootFleetIgnoresTheWritablePaths() {
    sim.apply(DriftSim.spec(1, "read_only_root: false\ndrift: {tamper: report, filesystem: replace}", "writable: [/scratch]"));
    sim.settle(1);
    NodeInfo node = sim.node("web-1");

    assertThat(sim.fake.writeByHand(node.ref(), "/scratch/cache.bin")).isTrue();
    sim.tick(Duration.ofMinutes(2));
    assertThat(sim.fake.containerExists(node.ref().containerName())).as("scratch writes are not drift").isTrue();
    assertThat(sim.controller.driftFindings("web", null)).extracting(DriftFinding::kind).containsExactly(DriftKind.TAMPER);

    assertThat(sim.fake.writeByHand(node.ref(), "/etc/motd")).isTrue();
    sim.controller.runPending();

    assertThat(sim.fake.containerExists(node.ref().containerName())).isFalse();
    assertThat(sim.events(EventKind.NODE_REPLACED)).singleElement().extracting(ControllerEvent::reason)
        .isEqualTo("web-1 replaced: drift (filesystem): 1 change outside the writable paths: A /etc/motd");
    assertThat(sim.controller.driftFindings("web", null)).extracting(DriftFinding::kind, DriftFinding::action)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(DriftKind.TAMPER, "reported"),
            org.assertj.core.groups.Tuple.tuple(DriftKind.TAMPER, "reported"),
            org.assertj.core.groups.Tuple.tuple(DriftKind.FILESYSTEM, "replaced"));
  }

  @Test
  void aNodeOnAnotherImageOrConfigIsReplacedAndTheConfigValueIsNeverNamed() {
    sim.apply(DriftSim.spec(2, "drift: {config: report}", ""));
    sim.settle(2);
    sim.close();
    // while no controller runs, someone starts web-2's next generation by hand: labels of
    // release web:v1, but another image and another GREETING
    sim.fake.ensureImage(new dev.herd.engine.ImageSource(DriftSim.V2, dev.herd.engine.ImageSource.Format.OCI_ARCHIVE,
        out -> out.write(1)));
    sim.fake.removeNode(sim.ref("web-2"));
    sim.fake.startNode(NodeSpec.builder().project(DriftSim.PROJECT).fleet("web").node("web-2-g7").generation(7)
        .releaseId("web:v1").imageDigest(DriftSim.V2).port(20777).env("GREETING", "s3cr3t-override").build());
    sim.open();
    sim.controller.runPending();

    List<DriftFinding> findings = sim.controller.driftFindings("web", null);
    assertThat(findings).extracting(DriftFinding::kind).containsExactly(DriftKind.IMAGE, DriftKind.CONFIG);
    assertThat(findings.get(0).detail()).isEqualTo("runs image 222222222222, release web:v1 has 111111111111");
    assertThat(findings.get(1).detail()).isEqualTo("config key GREETING differs (release web:v1, config revision 0)");
    assertThat(findings).extracting(DriftFinding::action).containsExactly("replaced", "reported");
    assertThat(sim.events(EventKind.NODE_REPLACED)).singleElement().extracting(ControllerEvent::reason).asString()
        .startsWith("web-2 replaced: drift (image): runs image 222222222222");
    assertThat(sim.events()).extracting(ControllerEvent::reason).noneMatch(r -> r.contains("s3cr3t"));
  }

  @Test
  void orphansAreRemovedAsDriftAndForeignContainersAreReportedOnceAndNeverTouched() {
    sim.apply(DriftSim.spec(2, "", ""));
    sim.settle(2);
    int leased = sim.node("web-1").port();
    sim.fake.startNode(NodeSpec.builder().project(DriftSim.PROJECT).fleet("api").node("api-1-g1")
        .releaseId("api:v1").imageDigest(DriftSim.V1).port(20500).build());
    sim.fake.addForeignContainer("shop-web-3", Map.of("owner", "someone"));
    sim.fake.addForeignContainer("cache", Map.of(), List.of(leased));
    sim.fake.addForeignContainer("web-db", Map.of());

    sim.tick(Duration.ofMinutes(6)); // the project-wide sweep runs at every resync
    sim.tick(Duration.ofMinutes(6));

    assertThat(sim.fake.containerExists("shop-api-1-g1")).isFalse();
    assertThat(sim.fake.containerExists("shop-web-3")).isTrue();
    assertThat(sim.fake.containerExists("cache")).isTrue();
    assertThat(sim.fake.containerExists("web-db")).isTrue();
    List<DriftFinding> findings = sim.controller.driftFindings(null, null);
    assertThat(findings).extracting(DriftFinding::kind, DriftFinding::node, DriftFinding::action).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple(DriftKind.ORPHAN, "api-1-g1", "removed"),
        org.assertj.core.groups.Tuple.tuple(DriftKind.FOREIGN, "shop-web-3", "left alone"),
        org.assertj.core.groups.Tuple.tuple(DriftKind.FOREIGN, "cache", "left alone"));
    assertThat(sim.events(EventKind.DRIFT_DETECTED)).hasSize(2).extracting(ControllerEvent::reason).anySatisfy(r -> assertThat(r)
        .isEqualTo("drift (foreign): container cache is not herd's but publishes port " + leased
            + ", leased to fleet web: reported, never touched"));
    assertThat(sim.events(EventKind.ORPHAN_REMOVED)).singleElement().extracting(ControllerEvent::reason).asString().contains("shop-api-1-g1");
  }

  @Test
  void immutabilityScoreFallsWithDriftAndWritablePaths() {
    sim.apply(DriftSim.spec(2, "max_age: 1h\ndrift: {tamper: report}", ""));
    sim.settle(2);
    sim.tick(Duration.ofMinutes(10));
    ImmutabilityScore clean = sim.controller.immutability("web");
    assertThat(clean.score()).isEqualTo(100);
    assertThat(clean.rating()).isEqualTo("immutable");
    assertThat(clean.currentShare()).isEqualTo(1.0);
    assertThat(clean.medianAge()).hasValueSatisfying(a -> assertThat(a).isBetween(Duration.ofMinutes(10), Duration.ofMinutes(11)));

    sim.fake.execByHand(sim.ref("web-1"), "sh");
    sim.controller.runPending();
    ImmutabilityScore touched = sim.controller.immutability("web");
    assertThat(touched.driftFindings()).isEqualTo(1);
    assertThat(touched.score()).isEqualTo(90);
    assertThat(touched.summary()).isEqualTo("immutable (90/100): 1 drift finding in 24h (-10)");

    sim.tick(Duration.ofHours(25)); // max_age recycles; the finding leaves the 24 h window
    assertThat(sim.controller.immutability("web").driftFindings()).isZero();
  }

  @Test
  void theScoreFallsWhenTheOldestImageInServiceIsBehindTheLatest(@org.junit.jupiter.api.io.TempDir java.nio.file.Path db) {
    sim.apply(DriftSim.spec(2, "max_age: 1h\ndrift: {tamper: report}", ""));
    sim.settle(2);
    try (dev.herd.image.catalog.Catalog catalog = dev.herd.image.catalog.Catalog.open(db.resolve("herd.db"), sim.clock)) {
      catalog.register("web", dev.herd.image.oci.Digest.parse(DriftSim.V1), 1, new dev.herd.image.catalog.Lineage("s", "", "base-a"));
      assertThat(sim.controller.immutability("web", java.util.Optional.of(catalog)).summary()).isEqualTo("immutable (100/100)");
      catalog.register("web", dev.herd.image.oci.Digest.parse(DriftSim.V2), 1, new dev.herd.image.catalog.Lineage("s", "", "base-b"));
      catalog.register("web", dev.herd.image.oci.Digest.parse("sha256:" + "3".repeat(64)), 1,
          new dev.herd.image.catalog.Lineage("s", "", "base-b"));

      ImmutabilityScore behind = sim.controller.immutability("web", java.util.Optional.of(catalog));

      assertThat(behind.consistency()).hasValueSatisfying(c -> {
        assertThat(c.oldestImage()).isEqualTo("web:1");
        assertThat(c.versionsBehind()).isEqualTo(2);
        assertThat(c.summary()).isEqualTo("oldest image web:1, 2 versions behind web:3, base refreshed 0 days ago");
      });
      assertThat(behind.summary()).isEqualTo("immutable (90/100): oldest image web:1 is 2 versions behind web:3 (-10)");
      assertThat(sim.controller.immutability("web").summary()).as("without a catalog").isEqualTo("immutable (100/100)");
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
