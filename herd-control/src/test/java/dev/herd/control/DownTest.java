package dev.herd.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.state.EventKind;
import dev.herd.engine.Engine;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code herd down}: the removals are recorded as herd's, and it always finishes, whatever the engine does. */
class DownTest {
  @TempDir Path dir;
  Sim sim;

  @BeforeEach
  void upOnV1() {
    sim = new Sim(dir);
    sim.open();
    sim.apply(Specs.fleet(3, Specs.rolling(1, 0)), Sim.V1);
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 3));
  }

  @AfterEach
  void close() {
    sim.close();
  }

  @Test
  void aDownIsRecordedSoTheNextStartBeginsFreshWithoutVanishedNodes() {
    Controller.DownResult down = sim.controller.down(Duration.ofSeconds(5));

    assertThat(down.removed()).isEqualTo(3);
    assertThat(down.notRemoved()).isEmpty();
    assertThat(down.summary()).isEqualTo("controller stopped; removed 3 nodes");
    assertThat(sim.nodes()).isEmpty();

    sim.open();
    assertThat(sim.events(EventKind.NODE_REMOVED)).extracting(ControllerEvent::reason)
        .containsExactlyInAnyOrder("web-1 (gen 1) removed by herd down", "web-2 (gen 1) removed by herd down", "web-3 (gen 1) removed by herd down");
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 3));
    assertThat(sim.events(EventKind.NODE_VANISHED)).as(sim.eventLog()).isEmpty();
    assertThat(sim.events(EventKind.NODE_ADOPTED)).isEmpty();
  }

  @Test
  void aDownWithTheEngineGoneFinishesSaysWhatItCouldNotRemoveAndTheNextStartAdoptsTheNodes() {
    sim.fake.setAvailable(false);

    Controller.DownResult down = sim.controller.down(Duration.ofSeconds(5));

    assertThat(down.removed()).isZero();
    assertThat(down.summary()).startsWith("controller stopped; removed 0 nodes; could not remove: the nodes on the engine (cannot list them: ");
    sim.fake.setAvailable(true);
    assertThat(sim.nodes()).hasSize(3);
    sim.open();
    sim.runUntil(Duration.ofSeconds(20), s -> s.settledOn("web:v1", 3));
    assertThat(sim.events(EventKind.NODE_VANISHED)).isEmpty();
    assertThat(sim.events(EventKind.NODE_REMOVED)).isEmpty();
  }

  @Test
  void aDownRemovesTheNodesInParallelSoABigFleetFitsTheBound() {
    // each removal waits until all three have started: only parallel removal finishes
    CountDownLatch allStarted = new CountDownLatch(3);
    reopenOn(delegating(sim.fake, "removeNode", () -> {
      allStarted.countDown();
      allStarted.await();
    }));

    Controller.DownResult down = sim.controller.down(Duration.ofSeconds(10));

    assertThat(down.summary()).isEqualTo("controller stopped; removed 3 nodes");
  }

  @Test
  void aDownWithAHungEngineGivesUpAfterItsBound() {
    AtomicBoolean hang = new AtomicBoolean();
    CountDownLatch never = new CountDownLatch(1);
    reopenOn(delegating(sim.fake, "listNodes", () -> {
      if (hang.get()) {
        never.await();
      }
    }));
    hang.set(true);

    long t0 = System.nanoTime();
    Controller.DownResult down = sim.controller.down(Duration.ofMillis(300));

    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    assertThat(down.summary()).isEqualTo("controller stopped; removed 0 nodes; could not remove: "
        + "the rest: the engine did not finish within 300ms");
  }

  interface Hook {
    void run() throws InterruptedException;
  }

  /** The fake engine, with {@code hook} run before each call of {@code method}. */
  static Engine delegating(Engine fake, String method, Hook hook) {
    return (Engine) Proxy.newProxyInstance(Engine.class.getClassLoader(), new Class<?>[] {Engine.class},
        (proxy, m, args) -> {
          if (m.getName().equals(method)) {
            hook.run();
          }
          try {
            return m.invoke(fake, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private void reopenOn(Engine engine) {
    sim.controller.close();
    sim.engine = engine;
    sim.open();
  }
}
