package dev.herd.kube;

import dev.herd.engine.NodeSpec;
import dev.herd.spec.Fleet;
import dev.herd.spec.Health;
import dev.herd.spec.Location;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A small fleet as the renderer gets it: two nodes of web (one in service), secrets, config, health, limits. */
final class KubeFixtures {
  static final String DIGEST = "sha256:" + "5e".repeat(32);
  static final String PASSWORD = "s3cret-pw-of-web";

  private KubeFixtures() {}

  static NodeSpec spec(String node, long generation) {
    return NodeSpec.builder().project("shop").fleet("web").node(node + "-g" + generation).generation(generation)
        .releaseId("r7").imageDigest(DIGEST).command("/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www")
        .env("GREETING", "hello").writablePath("/var/cache/web").port(8080).memoryBytes(64L << 20).cpus(0.5)
        .runAs(new NodeSpec.RunAs(1000, 1000)).secret("db_password", PASSWORD.getBytes(StandardCharsets.UTF_8))
        .build();
  }

  static Health httpHealth() {
    return new Health(new Health.Http("/healthz", 200), Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(10), 3,
        Location.start(Path.of("herd.yaml")));
  }

  static KubeNode node(String node, long generation, boolean inService) {
    return new KubeNode(spec(node, generation), Map.of("config.json", "{\"GREETING\":\"hello\"}\n".getBytes(StandardCharsets.UTF_8)),
        Optional.of(httpHealth()), KubeNode.imageRef(Optional.of("registry.example.com/shop"), "web", DIGEST),
        Optional.of("shop-registry-lab"), inService);
  }

  static Fleet.Expose expose() {
    Location at = Location.start(Path.of("herd.yaml"));
    return new Fleet.Expose(80, Fleet.Expose.DEFAULT_BIND, Fleet.Protocol.HTTP, Duration.ofSeconds(30), 0, at, at);
  }

  static List<KubeNode> fleet() {
    return List.of(node("web-10", 1, true), node("web-2", 3, false));
  }
}
