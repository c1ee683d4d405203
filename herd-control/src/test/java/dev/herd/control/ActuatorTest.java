package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.control.health.ProbeResult;
import dev.herd.engine.ImageSource;
import dev.herd.engine.fake.FakeEngine;
import dev.herd.engine.fake.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The actuator on the production wiring: engine calls in parallel within the bound, no lock held across them. */
class ActuatorTest {
  @TempDir Path dir;

  private Controller open(FakeEngine fake, GatedEngine engine, ManualClock clock, int bound) {
    return open(fake, engine, clock, bound, NodeConfig.NONE);
  }

  private Controller open(FakeEngine fake, GatedEngine engine, ManualClock clock, int bound, NodeConfig nodeConfig) {
    return Controller.open(ControllerConfig.builder().nodeConfig(nodeConfig).stateDir(dir).project(Sim.PROJECT).engine(engine)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, out -> {}))
        .prober((t, check, timeout) -> fake.healthy(t.ref()) ? ProbeResult.ok("HTTP 200") : ProbeResult.fail("down"))
        .portCheck(p -> true).clock(clock).engineConcurrency(bound).build());
  }

  @Test
  void startsRunInParallelUpToTheEngineBound() {
    ManualClock clock = new ManualClock();
    FakeEngine fake = new FakeEngine(clock);
    GatedEngine engine = new GatedEngine(fake);
    engine.close(true);
    try (Controller c = open(fake, engine, clock, 3)) {
      c.start();
      c.apply(Sim.desired(Specs.fleet(6, Specs.rolling(1, 0)), Sim.V1));

      await().atMost(Duration.ofSeconds(20)).until(() -> engine.inFlight.get() == 3);
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> engine.inFlight.get() == 3);
      engine.close(false);
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status("web").healthy() == 6);
      assertThat(engine.maxInFlight.get()).isEqualTo(3);
    }
  }

  @Test
  void pauseIsNotStuckBehindASlowStart() {
    ManualClock clock = new ManualClock();
    FakeEngine fake = new FakeEngine(clock);
    GatedEngine engine = new GatedEngine(fake);
    try (Controller c = open(fake, engine, clock, 8)) {
      c.start();
      c.apply(Sim.desired(Specs.fleet(2, Specs.rolling(1, 0)), Sim.V1));
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status("web").healthy() == 2);

      engine.close(true);
      c.apply(Sim.desired(Specs.fleet(2, Specs.rolling(1, 0)), Sim.V2));
      await().atMost(Duration.ofSeconds(20)).until(() -> engine.inFlight.get() >= 1);

      CompletableFuture<Void> pause = CompletableFuture.runAsync(() -> c.pause("web"));
      await().atMost(Duration.ofSeconds(5)).until(pause::isDone);
      assertThat(engine.inFlight.get()).as("the start still waits at the engine").isPositive();
      assertThat(c.status("web").rollout()).hasValueSatisfying(r -> assertThat(r.state()).isEqualTo(RolloutStatus.State.PAUSED));

      engine.close(false);
      await().atMost(Duration.ofSeconds(20)).until(() -> engine.inFlight.get() == 0);
      assertThat(c.status("web").rollout()).as("the pause holds after the start landed")
          .hasValueSatisfying(r -> assertThat(r.state()).isEqualTo(RolloutStatus.State.PAUSED));
    }
  }

  @Test
  void aDeadNodesReplacementStartsWhileItsContainerIsStillBeingRemoved() {
    ManualClock clock = new ManualClock();
    FakeEngine fake = new FakeEngine(clock);
    GatedEngine engine = new GatedEngine(fake);
    try (Controller c = open(fake, engine, clock, 8)) {
      c.start();
      c.apply(Sim.desired(Specs.fleet(2, Specs.rolling(1, 0)), Sim.V1));
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status("web").healthy() == 2);

      engine.closeRemovals(true);
      fake.crashAfter("web-2-g1", Duration.ZERO, 1);
      fake.advance(Duration.ZERO);

      await().atMost(Duration.ofSeconds(20)).until(() -> c.status("web").nodes().stream()
          .anyMatch(n -> n.engineName().equals("web-2-g2") && !n.containerId().isEmpty()));
      assertThat(engine.removalsWaiting.get()).as("the dead web-2-g1 is still being removed").isEqualTo(1);
      engine.closeRemovals(false);
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status("web").healthy() == 2
          && c.status("web").nodes().stream().noneMatch(n -> n.engineName().equals("web-2-g1")));
    }
  }

  /** A front door that records what it drains and holds the drain until the test lets it end. */
  static final class HeldDrains implements Drainer {
    final java.util.List<String> drained = new java.util.concurrent.CopyOnWriteArrayList<>();
    final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    final java.util.List<String> runningAtDrain = new java.util.concurrent.CopyOnWriteArrayList<>();
    FakeEngine fake;

    @Override
    public void drain(String fleet, java.util.List<FleetPlan.Drain> nodes) {
      for (FleetPlan.Drain d : nodes) {
        drained.add(fleet + "/" + d.server() + " within " + d.timeout().toSeconds() + "s");
        if (fake.listNodes(Sim.PROJECT).stream().anyMatch(n -> n.name().equals(d.row().engineName()) && n.running())) {
          runningAtDrain.add(d.row().engineName());
        }
      }
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static final String EXPOSED = "expose: {port: 31080, drain_timeout: 9s}";

  private static boolean onEngine(FakeEngine fake, String node) {
    return fake.listNodes(Sim.PROJECT).stream().anyMatch(n -> n.name().equals(node));
  }

  @Test
  void scaleInDrainsTheNodeBeforeTheEngineRemovesItAndHoldsNoLockWhileItWaits() {
    ManualClock clock = new ManualClock();
    FakeEngine fake = new FakeEngine(clock);
    GatedEngine engine = new GatedEngine(fake);
    HeldDrains door = new HeldDrains();
    door.fake = fake;
    try (Controller c = open(fake, engine, clock, 8)) {
      c.drainer(door);
      c.start();
      c.apply(Sim.desired(Specs.fleet(2, Specs.rolling(1, 0), EXPOSED), Sim.V1));
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status("web").healthy() == 2);
      int port = c.status("web").nodes().stream().filter(n -> n.engineName().equals("web-2-g1")).findFirst().orElseThrow().port();

      c.scale("web", 1);
      await().atMost(Duration.ofSeconds(20)).until(() -> !door.drained.isEmpty());
      assertThat(door.drained).containsExactly("web/web-2-g1_" + port + " within 9s");
      assertThat(door.runningAtDrain).as("drained while it still ran").containsExactly("web-2-g1");
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> onEngine(fake, "web-2-g1"));

      CompletableFuture<Void> scale = CompletableFuture.runAsync(() -> c.scale("web", 1));
      await().atMost(Duration.ofSeconds(5)).until(scale::isDone);
      assertThat(onEngine(fake, "web-2-g1")).as("still waiting for its connections").isTrue();

      door.release.countDown();
      await().atMost(Duration.ofSeconds(20)).until(() -> !onEngine(fake, "web-2-g1"));
      assertThat(onEngine(fake, "web-1-g1")).isTrue();
      }
    }

  @Test
  void aRolloutsNextWaveStartsWhileTheRetiredNodesAreStillBeingRemoved() {
    ManualClock clock = new ManualClock();
    FakeEngine fake = new FakeEngine(clock);
    GatedEngine engine = new GatedEngine(fake);
    String rollout = """
        strategy: rolling
        max_surge: 1
        max_unavailable: 0
        min_healthy_time: 0s
        progress_deadline: 10m
        """;
    try (Controller c = open(fake, engine, clock, 8)) {
      c.start();
      c.apply(Sim.desired(Specs.fleet(3, rollout), Sim.V1));
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status("web").healthy() == 3);

      engine.closeRemovals(true);
      c.apply(Sim.desired(Specs.fleet(3, rollout), Sim.V2));

      // every wave starts although no retired node has left the engine yet
      await().atMost(Duration.ofSeconds(30)).until(() -> c.status("web").nodes().stream()
          .filter(n -> n.release().equals("web:v2") && n.phase() == NodeStatus.Phase.HEALTHY).count() == 3);
      assertThat(engine.removalsWaiting.get()).as("each retired node is being removed once, none twice").isEqualTo(3);
      assertThat(c.status("web").nodes()).filteredOn(n -> n.release().equals("web:v1"))
          .extracting(NodeStatus::phase).containsOnly(NodeStatus.Phase.REMOVING);

      engine.closeRemovals(false);
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status("web").nodes().size() == 3 && c.status("web").rollout().isEmpty());
      assertThat(c.status("web").nodes()).extracting(NodeStatus::port).doesNotHaveDuplicates();
    }
  }

  @Test
  void aRollingUpdateDrainsEachOldNodeAndAPauseIsNotStuckBehindTheDrain() {
    ManualClock clock = new ManualClock();
    FakeEngine fake = new FakeEngine(clock);
    GatedEngine engine = new GatedEngine(fake);
    HeldDrains door = new HeldDrains();
    door.fake = fake;
    try (Controller c = open(fake, engine, clock, 8)) {
      c.drainer(door);
      c.start();
      c.apply(Sim.desired(Specs.fleet(2, Specs.rolling(1, 0), EXPOSED), Sim.V1));
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status("web").healthy() == 2);
      c.apply(Sim.desired(Specs.fleet(2, Specs.rolling(1, 0), EXPOSED), Sim.V2));

      // simulated seconds pass until the first new node is ready (min_healthy_time) and an old one leaves
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        fake.advance(Duration.ofSeconds(1));
        c.touch("web");
        return !door.drained.isEmpty();
      });
      String old = door.runningAtDrain.getFirst();
      assertThat(old).endsWith("-g1");
      assertThat(door.drained.getFirst()).startsWith("web/" + old + "_");

      CompletableFuture<Void> pause = CompletableFuture.runAsync(() -> c.pause("web"));
      await().atMost(Duration.ofSeconds(5)).until(pause::isDone);
      assertThat(onEngine(fake, old)).as("the drained node waits for its connections").isTrue();

      door.release.countDown();
      await().atMost(Duration.ofSeconds(20)).until(() -> !onEngine(fake, old));
      assertThat(c.status("web").rollout()).hasValueSatisfying(r -> assertThat(r.state()).isEqualTo(RolloutStatus.State.PAUSED));
      }
    }

  @Test
  void aWaveOfTenSurgeNodesStartsAtOnceWithTheDefaultBound() {
    ManualClock clock = new ManualClock();
    FakeEngine fake = new FakeEngine(clock);
    GatedEngine engine = new GatedEngine(fake);
    engine.close(true);
    try (Controller c = Controller.open(ControllerConfig.builder().stateDir(dir).project(Sim.PROJECT).engine(engine)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, out -> {}))
        .prober((t, check, timeout) -> fake.healthy(t.ref()) ? ProbeResult.ok("HTTP 200") : ProbeResult.fail("down"))
        .portCheck(p -> true).clock(clock).build())) {
      c.start();
      c.apply(Sim.desired(Specs.fleet(10, Specs.rolling(10, 0)), Sim.V1));

      await().atMost(Duration.ofSeconds(20)).until(() -> engine.inFlight.get() == 10);
      engine.close(false);
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status("web").healthy() == 10);
    }
  }

  /**
   * The blue/green switch reaches the front door before discovery and the node files are
   * rewritten (a rewrite of every node of the environment, the slow part of the switch's path).
   */
  @Test
  void theFrontDoorFollowsASwitchBeforeDiscoveryIsRewritten() {
    ManualClock clock = new ManualClock();
    FakeEngine fake = new FakeEngine(clock);
    GatedEngine engine = new GatedEngine(fake);
    java.util.List<String> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    java.util.concurrent.atomic.AtomicReference<Controller> ctl = new java.util.concurrent.atomic.AtomicReference<>();
    NodeConfig discovery = new NodeConfig() {
      @Override
      public dev.herd.engine.NodeSpec prepare(dev.herd.engine.NodeSpec spec, Launch node) {
        return spec;
      }

      @Override
      public void members(String fleet, java.util.List<Member> members) {
        if (members.stream().anyMatch(m -> m.serving() && m.engineName().endsWith("-g2"))) {
          order.add("discovery");
        }
      }

      @Override
      public void removed(String fleet, String engineName) {}
    };
    try (Controller c = open(fake, engine, clock, 8, discovery)) {
      ctl.set(c);
      c.frontDoorFollows(() -> {
        if (ctl.get().status("web").nodes().stream().anyMatch(n -> n.inService() && n.generation() == 2)) {
          order.add("front door");
        }
      });
      c.start();
      c.apply(Sim.desired(Specs.fleet(2, Specs.blueGreen(), EXPOSED), Sim.V1));
      await().atMost(Duration.ofSeconds(20)).until(() -> c.status("web").healthy() == 2);
      c.apply(Sim.desired(Specs.fleet(2, Specs.blueGreen(), EXPOSED), Sim.V2));
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        fake.advance(Duration.ofSeconds(1));
        c.touch("web");
        return order.contains("discovery");
      });
      assertThat(order.getFirst()).as("who saw the new set serving first").isEqualTo("front door");
    }
  }
}
