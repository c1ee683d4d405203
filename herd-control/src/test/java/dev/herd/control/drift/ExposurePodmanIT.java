package dev.herd.control.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herd.control.Controller;
import dev.herd.control.ControllerConfig;
import dev.herd.control.DesiredState;
import dev.herd.control.health.ProbeResult;
import dev.herd.engine.Listener;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.docker.BusyboxImage;
import dev.herd.engine.docker.DockerApiEngine;
import dev.herd.spec.PortRange;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, real Podman: a node bound to every address (busybox httpd {@code -p PORT}) is
 * reported as {@code exposure}; a node bound to {@code ${HOST}:${PORT}} is not. Nothing is sent
 * to the nodes: the check reads the kernel's socket tables.
 */
class ExposurePodmanIT {
  static final String PROJECT = "fdedgesexp";
  @TempDir Path state;

  @Test
  void aNodeBoundToAllAddressesIsReportedAsExposureAndOneOnHostIsNot() {
    BusyboxImage image = BusyboxImage.get();
    String yaml = """
        project: {name: fdedgesexp, ports: 22100-22199}
        roles:
          local:
            base: {scratch: {}}
            command: ["/bin/busybox", "httpd", "-f", "-p", "${HOST}:${PORT}", "-h", "/www"]
          open:
            base: {scratch: {}}
            command: ["/bin/busybox", "httpd", "-f", "-p", "0.0.0.0:${PORT}", "-h", "/www"]
        environments:
          prod: {config: {GREETING: hello}}
        fleets:
          local: {role: local, environment: prod, count: 1}
          open: {role: open, environment: prod, count: 1}
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
          .ports(new PortRange(22100, 22199))
          .build())) {
        c.start();
        c.apply(DesiredState.of(spec, Map.of("local", image.digest(), "open", image.digest())));
        await().atMost(Duration.ofSeconds(60)).until(() -> c.status("local").healthy() == 1 && c.status("open").healthy() == 1);
        NodeInfo local = engine.listNodes(PROJECT, "local").getFirst();
        NodeInfo open = engine.listNodes(PROJECT, "open").getFirst();
        await().atMost(Duration.ofSeconds(30)).until(() -> !engine.listeners(local.ref()).isEmpty());
        assertThat(engine.listeners(local.ref())).containsExactly(new Listener("127.0.0.1", local.port()));

        await().atMost(Duration.ofSeconds(60)).until(() -> !c.driftFindings("open", null).isEmpty());
        assertThat(c.driftFindings("open", null)).singleElement().satisfies(f -> {
          assertThat(f.kind()).isEqualTo(DriftKind.EXPOSURE);
          assertThat(f.action()).isEqualTo("reported");
          assertThat(f.detail()).startsWith("listens on 0.0.0.0:" + open.port() + ", reachable from other hosts");
        });
        assertThat(c.driftFindings("local", null)).isEmpty();
        assertThat(engine.inspectNode(open.ref())).as("report only: the node stays").isPresent();
      } finally {
        for (NodeInfo n : engine.listNodes(PROJECT)) {
          engine.removeNode(n.ref());
        }
      }
    }
  }
}
