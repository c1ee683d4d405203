package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herd.bake.base.BaseRecipe;
import dev.herd.control.Controller;
import dev.herd.control.ControllerConfig;
import dev.herd.control.DesiredState;
import dev.herd.engine.ImageSource;
import dev.herd.engine.fake.FakeEngine;
import dev.herd.engine.fake.ManualClock;
import dev.herd.control.health.ProbeResult;
import dev.herd.image.Images;
import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.catalog.Lineage;
import dev.herd.image.oci.ImageConfig;
import dev.herd.image.catalog.ImageRef;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herd outdated} against a Debian repository built here (file: mirror, real apt-get): no
 * test depends on what the live Debian mirror holds today.
 */
class OutdatedCommandTest {
  static final String ARCH = BaseRecipe.hostArchitecture();
  @TempDir Path dir;
  Path repo;
  String digest;

  /** A two-suite repository: bookworm and bookworm-security, each one Packages file. */
  void publishSuite(String suite, String... nameVersion) throws IOException {
    StringBuilder packages = new StringBuilder();
    for (int i = 0; i < nameVersion.length; i += 2) {
      packages.append("Package: ").append(nameVersion[i]).append("\nVersion: ").append(nameVersion[i + 1])
          .append("\nArchitecture: ").append(ARCH).append("\nMaintainer: Test <test@example.org>\nPriority: optional")
          .append("\nFilename: pool/main/").append(nameVersion[i]).append('_').append(nameVersion[i + 1]).append(".deb")
          .append("\nSize: 100\nSHA256: ").append("0".repeat(64)).append("\nDescription: fixture\n\n");
    }
    Path dists = repo.resolve("dists").resolve(suite);
    Path file = dists.resolve("main/binary-" + ARCH + "/Packages");
    Files.createDirectories(file.getParent());
    byte[] bytes = packages.toString().getBytes(StandardCharsets.UTF_8);
    Files.write(file, bytes);
    Files.writeString(dists.resolve("Release"), """
        Origin: Fixture
        Label: Fixture
        Suite: %1$s
        Codename: %1$s
        Date: Sat, 01 Mar 2025 12:00:00 UTC
        Architectures: %2$s
        Components: main
        SHA256:
         %3$s %4$d main/binary-%2$s/Packages
        """.formatted(suite, ARCH, sha256(bytes), bytes.length));
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  String yaml(String mirrorRoot) {
    return """
        project: {name: fresh, ports: 28000-28099}
        roles:
          web:
            base:
              debian:
                suite: bookworm
                mirror: |
                  deb [trusted=yes] file:%1$s bookworm main
                  deb [trusted=yes] file:%1$s bookworm-security main
                packages: [hello]
            packages: [libfoo]
            command: ["/srv/web"]
        environments:
          prod: {}
        fleets:
          web: {role: web, environment: prod, count: 1, image: "channel:stable"}
        """.formatted(mirrorRoot);
  }

  static String sbom(String... nameVersion) {
    StringBuilder c = new StringBuilder();
    for (int i = 0; i < nameVersion.length; i += 2) {
      c.append(c.isEmpty() ? "" : ",").append("{\"type\":\"library\",\"name\":\"").append(nameVersion[i]).append("\",\"version\":\"")
          .append(nameVersion[i + 1]).append("\",\"purl\":\"pkg:deb/debian/").append(nameVersion[i]).append('@')
          .append(nameVersion[i + 1]).append("?arch=").append(ARCH).append("\"}");
    }
    // a file component is not a package
    c.append(",{\"type\":\"file\",\"name\":\"/srv/web\",\"version\":\"\"}");
    return "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[" + c + "]}";
  }

  @BeforeEach
  void bakeAndRun() throws IOException {
    repo = dir.resolve("repo");
    publishSuite("bookworm", "hello", "1.0-1", "libfoo", "2:1.2-3");
    publishSuite("bookworm-security");
    Files.writeString(dir.resolve("herd.yaml"), yaml(repo.toString()));
    Path state = dir.resolve(".herd");
    try (Images images = Images.open(state)) {
      ImageConfig cfg = ImageConfig.builder().created(Instant.parse("2025-03-01T12:00:00Z")).cmd(List.of("/srv/web"))
          .label("dev.herd.role", "web").build();
      CatalogImage img = images.publish("web", cfg, List.of(), Map.of(), new Lineage("sha256:spec", "c0ffee", "")).image();
      images.putSbom(img.digest(), sbom("hello", "1.0-1", "libfoo", "2:1.2-3").getBytes(StandardCharsets.UTF_8));
      images.catalog().promote(ImageRef.parse("web:1"), "stable");
      digest = img.digest().toString();
    }
    // the fleet runs it: the controller's own records say so
    ManualClock clock = new ManualClock();
    FakeEngine fake = new FakeEngine(clock);
    String yaml = Files.readString(dir.resolve("herd.yaml"));
    try (Controller c = Controller.open(ControllerConfig.builder().stateDir(state).project("fresh").engine(fake)
        .images(d -> new ImageSource(d, ImageSource.Format.OCI_ARCHIVE, o -> o.write(d.getBytes(StandardCharsets.UTF_8))))
        .prober((t, check, timeout) -> ProbeResult.ok("up")).portCheck(p -> true).simulated(clock).build())) {
      c.start();
      Spec spec = SpecLoader.load(dir.resolve("herd.yaml"), yaml.getBytes(StandardCharsets.UTF_8)).orThrow();
      c.apply(DesiredState.of(spec, Map.of("web", digest)));
      c.runPending();
    }
  }

  CliRun outdated(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "outdated";
    all[1] = "-f";
    all[2] = dir.resolve("herd.yaml").toString();
    System.arraycopy(args, 0, all, 3, args.length);
    return CliRun.of(all);
  }

  @Test
  void currentImageExitsZero() {
    CliRun r = outdated();
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("web:1", "fleets web", "channels stable", "current",
        "registry base: none");
  }

  @Test
  void aSecurityUpdateIsReportedExactlyAndExitsTwo() throws IOException {
    publishSuite("bookworm-security", "hello", "1.0-1+deb12u1");
    // an older version elsewhere is not an update, whatever string order says
    publishSuite("bookworm", "hello", "1.0-1", "libfoo", "1.9-1");
    CliRun r = outdated("--json");
    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    JsonNode report = new ObjectMapper().readTree(r.out());
    assertThat(report.path("outdated").asBoolean()).isTrue();
    JsonNode image = report.path("images").get(0);
    assertThat(image.path("image").asText()).isEqualTo("web:1");
    assertThat(image.path("digest").asText()).isEqualTo(digest);
    assertThat(image.path("fleets").toString()).isEqualTo("[\"web\"]");
    assertThat(image.path("channels").toString()).isEqualTo("[\"stable\"]");
    assertThat(image.path("updates")).hasSize(1);
    JsonNode u = image.path("updates").get(0);
    assertThat(u.path("name").asText()).isEqualTo("hello");
    assertThat(u.path("installed").asText()).isEqualTo("1.0-1");
    assertThat(u.path("available").asText()).isEqualTo("1.0-1+deb12u1");
    assertThat(u.path("security").asBoolean()).isTrue();

    CliRun text = outdated("web");
    assertThat(text.exitCode()).isEqualTo(2);
    assertThat(text.out()).contains("hello 1.0-1 → 1.0-1+deb12u1 (security)");
  }

  @Test
  void aNonSecurityUpdateIsNotFlagged() throws IOException {
    publishSuite("bookworm", "hello", "1.1-1", "libfoo", "2:1.2-3");
    CliRun r = outdated();
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).contains("hello 1.0-1 → 1.1-1").doesNotContain("(security)");
  }

  @Test
  void anUnreachableMirrorIsAPlainErrorExitFour() throws IOException {
    Files.writeString(dir.resolve("herd.yaml"), yaml(dir.resolve("no-such-repo").toString()));
    CliRun r = outdated();
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.err()).contains("cannot read the package index", "nothing was changed").doesNotContain("Exception", "unexpected");
    try (Images images = Images.open(dir.resolve(".herd"))) {
      assertThat(images.catalog().list("web")).hasSize(1);
    }
  }

  @Test
  void anUnknownRoleOrFleetIsAnError() {
    CliRun r = outdated("nope");
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.err()).contains("no role or fleet \"nope\"");
  }
}
