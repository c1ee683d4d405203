package dev.herd.control.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.control.Controller;
import dev.herd.control.ControllerConfig;
import dev.herd.control.DesiredState;
import dev.herd.control.health.ProbeResult;
import dev.herd.control.ControllerEvent;
import dev.herd.control.state.EventKind;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.docker.BusyboxImage;
import dev.herd.engine.docker.DockerApiEngine;
import dev.herd.engine.docker.Podman;
import dev.herd.spec.PortRange;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real Podman: a {@code podman exec} into a node the controller started gets it replaced. */
class DriftPodmanIT {
  static final String PROJECT = "driftit";
  @TempDir Path state;

  @Test
  void podmanExecIntoANodeIsDetectedAndTheNodeReplaced() {
    BusyboxImage image = BusyboxImage.get();
    String yaml = """
        project: {name: driftit, ports: 21000-21099}
        roles:
          web:
            base: {scratch: {}}
            command: ["/bin/busybox", "httpd", "-f", "-p", "127.0.0.1:${PORT}", "-h", "/www"]
        environments:
          prod: {config: {GREETING: hello}}
        fleets:
          web: {role: web, environment: prod, count: 1}
        """;
    Spec spec = SpecLoader.load(state.resolve("herd.yaml"), yaml.getBytes(StandardCharsets.UTF_8)).orThrow();
    try (DockerApiEngine engine = DockerApiEngine.connect(DockerApiEngine.Options.forState(state))) {
      try (Controller c = Controller.open(ControllerConfig.builder().stateDir(state).project(PROJECT).engine(engine)
          .images(d -> {
            if (!d.equals(image.digest())) {
              throw new NoSuchElementException(d);
            }
            return image.source();
          })
          .prober((t, check, timeout) -> ProbeResult.ok("running"))
          .ports(new PortRange(21000, 21099))
          .build())) {
        c.start();
        c.apply(DesiredState.of(spec, Map.of("web", image.digest())));
        await().atMost(Duration.ofSeconds(60)).until(() -> c.status("web").healthy() == 1);
        NodeInfo first = engine.listNodes(PROJECT).getFirst();

        Podman.ok("exec", first.ref().containerName(), "/bin/busybox", "true");

        await().atMost(Duration.ofSeconds(60)).until(() -> c.events(0, 1000).stream()
            .anyMatch(e -> e.kind().equals("node_replaced")));
        List<ControllerEvent> replaced = c.events(0, 1000).stream().filter(e -> e.kind().equals("node_replaced")).toList();
        assertThat(replaced).singleElement().extracting(ControllerEvent::reason).asString().startsWith("web-1 replaced: drift (tamper): exec");
        await().atMost(Duration.ofSeconds(60)).until(() -> c.status("web").healthy() == 1
            && engine.listNodes(PROJECT).size() == 1);
        assertThat(engine.listNodes(PROJECT).getFirst().generation()).isEqualTo(2);
        assertThat(engine.inspectNode(first.ref())).isEmpty();
      } finally {
        for (NodeInfo n : engine.listNodes(PROJECT)) {
          engine.removeNode(n.ref());
        }
      }
    }
  }
}
