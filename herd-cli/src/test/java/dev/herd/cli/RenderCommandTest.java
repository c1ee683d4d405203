package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.config.Edit;
import dev.herd.config.HerdConfig;
import dev.herd.image.Images;
import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.catalog.Lineage;
import dev.herd.image.oci.ImageConfig;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code herd render kubernetes}: offline, from herd.yaml, the catalog and the config service. */
class RenderCommandTest {
  static final String PASSWORD = "pw-render-7f3a91";
  @TempDir Path dir;
  String digest;

  @BeforeEach
  void project() throws Exception {
    Files.writeString(dir.resolve("herd.yaml"), """
        project: {name: shop, ports: 27100-27199}
        roles:
          web:
            base: {scratch: {}}
            command: [/srv/web, "--port=${PORT}"]
            writable: [/var/cache/web]
            health: {http: {path: /healthz}}
            limits: {memory: 64Mi, cpus: 0.5}
        registries:
          lab: {url: "https://registry.example.com"}
        environments:
          dev: {config: {GREETING: hi}}
          prod:
            config: {GREETING: hello}
            engine: {kubernetes: {context: prod-eu, namespace: shop-prod, registry: lab/shop}}
        fleets:
          web: {role: web, environment: prod, count: 2, expose: {port: 80}}
          web-dev: {role: web, environment: dev, count: 1}
        """);
    Path state = dir.resolve(".herd");
    try (Images images = Images.open(state)) {
      ImageConfig cfg = ImageConfig.builder().created(Instant.parse("2025-03-01T12:00:00Z")).cmd(List.of("/srv/web")).build();
      CatalogImage img = images.publish("web", cfg, List.of(), Map.of(), new Lineage("sha256:spec", "c0ffee", "")).image();
      digest = img.digest().toString();
    }
    Spec spec = SpecLoader.load(dir.resolve("herd.yaml")).orThrow();
    try (HerdConfig cfg = HerdConfig.open(state, Map.of())) {
      cfg.secrets().set(spec, "prod", "web", "db_password", PASSWORD.getBytes(StandardCharsets.UTF_8), Edit.by("test"));
    }
  }

  @Test
  void printsThePodsOfTheClusterFleetOnlyWithSecretsLeftOut() {
    CliRun r = CliRun.of("render", "kubernetes", "-f", dir.resolve("herd.yaml").toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("kind: \"Pod\"", "name: \"shop-web-1-g1\"", "name: \"shop-web-2-g1\"", "namespace: \"shop-prod\"",
        "image: \"registry.example.com/shop/web@" + digest + "\"", "readOnlyRootFilesystem: true", "medium: \"Memory\"",
        "kind: \"Service\"", "herd.in-service: \"true\"", "kind: \"ConfigMap\"", "immutable: true", "path: \"/healthz\"",
        "- \"--port=8080\"", "memory: \"67108864\"", "db_password: \"<redacted: " + PASSWORD.length() + " bytes>\"");
    assertThat(r.out()).doesNotContain("web-dev", PASSWORD, b64(PASSWORD));
    assertThat(r.out().indexOf("kind: \"ConfigMap\"")).isLessThan(r.out().indexOf("kind: \"Pod\""));
  }

  @Test
  void showSecretsPrintsTheValueAndTwoRunsPrintTheSameBytes() {
    CliRun a = CliRun.of("render", "kubernetes", "web", "-e", "prod", "--show-secrets", "-f", dir.resolve("herd.yaml").toString());
    CliRun b = CliRun.of("render", "kubernetes", "web", "-e", "prod", "--show-secrets", "-f", dir.resolve("herd.yaml").toString());
    assertThat(a.exitCode()).as(a.err()).isZero();
    assertThat(a.out()).contains(b64(PASSWORD)).isEqualTo(b.out());
  }

  @Test
  void aLocalEnvironmentOrFleetIsRefusedWithTheReason() {
    CliRun env = CliRun.of("render", "kubernetes", "-e", "dev", "-f", dir.resolve("herd.yaml").toString());
    assertThat(env.exitCode()).isEqualTo(HerdCli.USAGE);
    assertThat(env.err()).contains("environment dev runs on the local engine").doesNotContain("Exception");
    CliRun fleet = CliRun.of("render", "kubernetes", "web-dev", "-f", dir.resolve("herd.yaml").toString());
    assertThat(fleet.err()).contains("fleet web-dev is in environment dev, which runs on the local engine");
    CliRun none = CliRun.of("render", "kubernetes", "nope", "-f", dir.resolve("herd.yaml").toString());
    assertThat(none.err()).contains("no fleet nope");
    assertThat(env.out() + fleet.out() + none.out()).isEmpty();
  }

  /** One controller drives one engine: a herd.yaml with fleets on a cluster and on Podman is refused, nothing started. */
  @Test
  void upWithFleetsOnAClusterAndOnTheLocalEngineRefusesAndStartsNothing() {
    CliRun up = CliRun.of("up", "--no-bake", dir.toString());
    assertThat(up.exitCode()).isEqualTo(HerdCli.FAILED);
    assertThat(up.err()).contains("fleet web runs in environment prod on Kubernetes namespace shop-prod of context prod-eu"
        + " pulling from lab/shop and fleet web-dev in environment dev on the local engine: one herd controller drives one engine",
        "nothing was started").doesNotContain("Exception");
    assertThat(dir.resolve(".herd").resolve("api.token")).doesNotExist();
  }

  @Test
  void upOfAnEnvironmentThatIsNotThereRefusesAndStartsNothing() {
    CliRun up = CliRun.of("up", "--no-bake", "-e", "stage", dir.toString());
    assertThat(up.exitCode()).isEqualTo(HerdCli.FAILED);
    assertThat(up.err()).contains("herd.yaml: environment stage is not in herd.yaml (it has dev, prod); nothing was started");
    assertThat(dir.resolve(".herd").resolve("api.token")).doesNotExist();
  }

  @Test
  void helpSaysSecretsAreLeftOutUnlessAsked() {
    CliRun r = CliRun.of("render", "kubernetes", "--help");
    assertThat(r.out()).contains("--show-secrets", "Secret values are left out");
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
