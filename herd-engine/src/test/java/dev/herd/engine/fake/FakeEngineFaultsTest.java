package dev.herd.engine.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.engine.EngineEvent;
import dev.herd.engine.EngineFailure;
import dev.herd.engine.EngineUnreachable;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeSpec;
import dev.herd.engine.NodeState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FakeEngineFaultsTest {
  private FakeEngine fake;

  @BeforeEach
  void setUp() {
    fake = new FakeEngine();
    fake.ensureImage(FakeEngineContractTest.IMAGE);
  }

  private NodeSpec spec(String node, int port) {
    return NodeSpec.builder().project("shop").fleet("web").node(node).releaseId("r1")
        .imageDigest(FakeEngineContractTest.IMAGE.digest()).port(port).build();
  }

  @Test
  void aStartFailureCarriesTheEngineMessageAndCreatesNothing() {
    fake.failStart("web-1", "OCI runtime error: boom");
    assertThatThrownBy(() -> fake.startNode(spec("web-1", 20001)))
        .isInstanceOf(EngineFailure.class).hasMessageContaining("OCI runtime error: boom");
    assertThat(fake.listNodes("shop")).isEmpty();
    fake.clearFaults("web-1");
    assertThat(fake.startNode(spec("web-1", 20001)).state()).isEqualTo(NodeState.RUNNING);
  }

  @Test
  void aCrashHappensWhenTheClockPassesItAndIsAnEventAtThatInstant() {
    List<EngineEvent> events = new CopyOnWriteArrayList<>();
    fake.events("shop", null, events::add);
    fake.crashAfter("web-1", Duration.ofSeconds(30), 42);
    NodeInfo n = fake.startNode(spec("web-1", 20001));
    fake.advance(Duration.ofSeconds(29));
    assertThat(fake.inspectNode(n.ref()).orElseThrow().state()).isEqualTo(NodeState.RUNNING);
    fake.advance(Duration.ofSeconds(5));
    NodeInfo dead = fake.inspectNode(n.ref()).orElseThrow();
    assertThat(dead.state()).isEqualTo(NodeState.EXITED);
    assertThat(dead.exitCode()).isEqualTo(42);
    assertThat(dead.finishedAt()).isEqualTo(n.startedAt().plusSeconds(30));
    assertThat(events).last().isEqualTo(new EngineEvent.Died(dead.finishedAt(), n.ref(), n.id(), 42));
  }

  @Test
  void slowStartAndFailingHealthAreWhatTheHealthProbeSees() {
    fake.slowStart("web-1", Duration.ofSeconds(10));
    NodeInfo n = fake.startNode(spec("web-1", 20001));
    assertThat(fake.healthy(n.ref())).isFalse();
    fake.advance(Duration.ofSeconds(10));
    assertThat(fake.healthProbe().test(n)).isTrue();
    fake.failHealth("web-1", true);
    assertThat(fake.healthy(n.ref())).isFalse();
    fake.failHealth("web-1", false);
    fake.stopNode(n.ref(), Duration.ofSeconds(1));
    assertThat(fake.healthy(n.ref())).isFalse();
  }

  @Test
  void anUnavailableEngineIsUnreachableForEveryCallUntilBack() {
    NodeInfo n = fake.startNode(spec("web-1", 20001));
    fake.setAvailable(false);
    assertThatThrownBy(() -> fake.listNodes("shop")).isInstanceOf(EngineUnreachable.class);
    assertThatThrownBy(() -> fake.stopNode(n.ref(), Duration.ZERO)).isInstanceOf(EngineUnreachable.class);
    assertThat(new EngineUnreachable("x", null).transientFailure()).isTrue();
    fake.setAvailable(true);
    assertThat(fake.listNodes("shop")).hasSize(1);
  }

  @Test
  void aPortTakenOnTheHostIsPortInUse() {
    fake.occupyPort(20005);
    assertThatThrownBy(() -> fake.startNode(spec("web-1", 20005)))
        .isInstanceOf(dev.herd.engine.PortInUse.class);
  }

  @Test
  void ensureImageTransfersOnlyOnce() {
    long before = fake.transfers();
    fake.ensureImage(FakeEngineContractTest.IMAGE);
    assertThat(fake.transfers()).isEqualTo(before);
  }
}
