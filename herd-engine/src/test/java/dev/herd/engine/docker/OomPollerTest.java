package dev.herd.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.engine.EngineEvent;
import dev.herd.engine.Labels;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OOM kill counters from memory cgroups (v1 and v2), on a fake /proc and /sys/fs/cgroup. */
class OomPollerTest {
  @TempDir Path root;

  private Path proc() {
    return root.resolve("proc");
  }

  private Path cgroup() {
    return root.resolve("cgroup");
  }

  private void process(long pid, String cgroupFile) throws IOException {
    Files.createDirectories(proc().resolve(Long.toString(pid)));
    Files.writeString(proc().resolve(pid + "/cgroup"), cgroupFile);
  }

  private Path counter(String relative, String text) throws IOException {
    Path f = cgroup().resolve(relative);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text);
    return f;
  }

  @Test
  void theCounterIsFoundThroughTheMainProcessOnCgroupV1AndV2() throws IOException {
    process(10, "12:memory:/libpod_parent/libpod-abc\n11:pids:/libpod_parent/libpod-abc\n0::/\n");
    Path v1 = counter("memory/libpod_parent/libpod-abc/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
    process(20, "0::/machine.slice/libpod-def.scope/container\n");
    Path v2 = counter("machine.slice/libpod-def.scope/container/memory.events", "low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\n");
    CgroupOom c = new CgroupOom(proc(), cgroup());

    assertThat(c.counterFile(10)).contains(v1);
    assertThat(c.counterFile(20)).contains(v2);
    assertThat(CgroupOom.read(v1)).hasValue(2);
    assertThat(CgroupOom.read(v2)).hasValue(1);
    assertThat(c.counterFile(30)).isEmpty();
  }

  @Test
  void eachKillAfterTheBaselineIsOneEventAndTheEnginesOwnOomEventIsDropped() throws IOException {
    process(10, "0::/machine.slice/libpod-abc.scope\n");
    Path events = counter("machine.slice/libpod-abc.scope/memory.events", "oom 3\noom_kill 3\n");
    NodeInfo node = NodeInfo.fromLabels("cid-1", "shop", Map.of(Labels.MANAGED, "true", Labels.PROJECT, "shop",
        Labels.FLEET, "web", Labels.NODE, "web-1-g1", Labels.RELEASE, "web:v1", Labels.PORT, "20000"),
        NodeState.RUNNING, null, false, true, Instant.EPOCH, Instant.EPOCH, null, Map.of());
    List<EngineEvent> out = new ArrayList<>();
    OomPoller p = new OomPoller(() -> List.of(node), id -> OptionalLong.of(10), new CgroupOom(proc(), cgroup()), out::add);

    p.poll(); // baseline: the 3 earlier kills are not replayed
    assertThat(out).isEmpty();
    Files.writeString(events, "oom 5\noom_kill 5\n");
    p.poll();

    assertThat(out).hasSize(2).allSatisfy(e -> {
      assertThat(e).isInstanceOf(EngineEvent.OutOfMemory.class);
      assertThat(e.containerId()).isEqualTo("cid-1");
      assertThat(e.node().node()).isEqualTo("web-1-g1");
    });
    assertThat(p.duplicate(new EngineEvent.OutOfMemory(Instant.now(), node.ref(), "cid-1"))).isTrue();
    assertThat(p.duplicate(new EngineEvent.OutOfMemory(Instant.now(), node.ref(), "other"))).isFalse();
    p.poll();
    assertThat(out).hasSize(2);
  }

  @Test
  void aNodeStartedAfterTheWatchBeganCountsItsKillsFromZero() throws IOException {
    process(10, "0::/machine.slice/libpod-new.scope\n");
    counter("machine.slice/libpod-new.scope/memory.events", "oom 1\noom_kill 1\n");
    List<EngineEvent> out = new ArrayList<>();
    List<NodeInfo> nodes = new ArrayList<>();
    OomPoller p = new OomPoller(() -> nodes, id -> OptionalLong.of(10), new CgroupOom(proc(), cgroup()), out::add);
    nodes.add(NodeInfo.fromLabels("cid-2", "shop", Map.of(Labels.MANAGED, "true", Labels.PROJECT, "shop",
        Labels.FLEET, "web", Labels.NODE, "web-2-g1", Labels.RELEASE, "web:v1", Labels.PORT, "20001"),
        NodeState.RUNNING, null, false, true, Instant.now().plusSeconds(1), Instant.now().plusSeconds(1), null, Map.of()));

    p.poll(); // killed before the first round: still one event
    p.poll();

    assertThat(out).singleElement().extracting(EngineEvent::containerId).isEqualTo("cid-2");
  }
}
