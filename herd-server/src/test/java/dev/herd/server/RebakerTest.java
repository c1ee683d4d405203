package dev.herd.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.bake.base.PackageUpdates;
import dev.herd.bake.base.RoleUpdates;
import dev.herd.image.catalog.Lineage;
import dev.herd.image.oci.Digest;
import dev.herd.spec.Rebake;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scheduled rebakes on the fake engine: the check and the bake are stand-ins, the rollout is the controller's. */
class RebakerTest {
  static final PackageUpdates.Update SECURITY = new PackageUpdates.Update("openssl", "3.0.15-1~deb12u1", "3.0.16-1~deb12u1", true);
  static final PackageUpdates.Update POINT = new PackageUpdates.Update("tzdata", "2025a-0+deb12u1", "2025b-0+deb12u1", false);

  @TempDir Path dir;
  ServerFixture f;
  final AtomicReference<List<PackageUpdates.Update>> available = new AtomicReference<>(List.of(SECURITY));
  final AtomicReference<Optional<String>> dirty = new AtomicReference<>(Optional.empty());
  final AtomicInteger bakes = new AtomicInteger();
  Rebaker rebaker;

  @BeforeEach
  void start() {
    f = new ServerFixture(dir);
    ServerFixture.write(f.specFile, ServerFixture.spec(2).replace("    health:\n", "    rebake: {on: [security_updates], every: 1d}\n    health:\n").replace("base: {scratch: {}}", "base: {debian: {packages: [busybox-static]}}"));
    f.catalog.register("web", Digest.parse(ServerFixture.V1), 10, new Lineage("sha256:s", "", ""));
    f.post("/v1/apply", "");
    f.settle(2);
    SpecApplier applier = new SpecApplier(f.specFile, spec -> java.util.Map.of("web", f.image.get()), f.controller);
    rebaker = new Rebaker(applier, f.controller, f.catalog,
        (spec, role, image) -> new RoleUpdates.Check(image.version() == 1 ? available.get() : List.of(), Optional.empty()),
        (spec, role) -> {
          bakes.incrementAndGet();
          f.catalog.register("web", Digest.parse(ServerFixture.V2), 10, new Lineage("sha256:s", "", ""));
          f.image.set(ServerFixture.V2);
          return "web:2";
        },
        spec -> dirty.get(), f.clock);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  List<String> rebakeEvents() {
    return f.controller.events(0, 1000).stream().filter(e -> e.kind().equals("rebake")).map(dev.herd.control.ControllerEvent::reason).toList();
  }

  @Test
  void aSecurityUpdateBakesReleasesAndRollsOutThroughTheStrategy() {
    assertThat(rebaker.runDue()).containsExactly("web:2");

    assertThat(rebakeEvents()).containsExactly("web:2 baked: openssl 3.0.15-1~deb12u1 → 3.0.16-1~deb12u1 (security)");
    assertThat(f.controller.status("web").currentRelease()).isEqualTo("web:v2");
    assertThat(f.controller.status("web").rollout()).isPresent();
    f.settle(2);
    assertThat(f.controller.status("web").nodes()).allSatisfy(n -> assertThat(n.release()).isEqualTo("web:v2"));
    // the new image is current: the next due check bakes nothing
    f.fake.advance(Duration.ofDays(1));
    assertThat(rebaker.runDue()).isEmpty();
    assertThat(bakes).hasValue(1);
  }

  @Test
  void notDueYetChecksNothing() {
    available.set(List.of());
    assertThat(rebaker.runDue()).isEmpty();
    available.set(List.of(SECURITY));
    f.fake.advance(Duration.ofHours(23));
    assertThat(rebaker.runDue()).isEmpty();
    assertThat(bakes).hasValue(0);
    f.fake.advance(Duration.ofHours(1));
    assertThat(rebaker.runDue()).containsExactly("web:2");
  }

  @Test
  void aRoleNoFleetRunsYetIsCheckedAtTheNextTickNotAWholeScheduleLater(@TempDir Path other) {
    // herd up starts the schedule before its first apply: the first tick finds no fleet
    ServerFixture g = new ServerFixture(other);
    try {
      ServerFixture.write(g.specFile, ServerFixture.spec(1).replace("    health:\n", "    rebake: {on: [security_updates], every: 1d}\n    health:\n")
          .replace("base: {scratch: {}}", "base: {debian: {packages: [busybox-static]}}"));
      g.catalog.register("web", Digest.parse(ServerFixture.V1), 10, new Lineage("sha256:s", "", ""));
      SpecApplier applier = new SpecApplier(g.specFile, spec -> java.util.Map.of("web", g.image.get()), g.controller);
      Rebaker early = new Rebaker(applier, g.controller, g.catalog,
          (spec, role, image) -> new RoleUpdates.Check(available.get(), Optional.empty()),
          (spec, role) -> "web:2", spec -> Optional.empty(), g.clock);
      assertThat(early.runDue()).isEmpty();

      g.post("/v1/apply", "");
      g.settle(1);
      g.fake.advance(Duration.ofMinutes(1));

      assertThat(early.runDue()).containsExactly("web:2");
    } finally {
      g.close();
    }
  }

  @Test
  void onlySecurityUpdatesCountUnlessBaseUpdateIsAsked() {
    available.set(List.of(POINT));
    assertThat(rebaker.runDue()).isEmpty();
    assertThat(bakes).hasValue(0);
    assertThat(Rebaker.wanted(new Rebake(EnumSet.of(Rebake.Trigger.SECURITY_UPDATES), Duration.ofDays(1), loc()),
        List.of(POINT, SECURITY))).containsExactly(SECURITY);
    assertThat(Rebaker.wanted(new Rebake(EnumSet.of(Rebake.Trigger.BASE_UPDATE), Duration.ofDays(1), loc()),
        List.of(POINT, SECURITY))).containsExactly(POINT, SECURITY);
  }

  @Test
  void uncommittedEditsAreNeverBakedAndSaySo() {
    dirty.set(Optional.of("herd.yaml has uncommitted edits"));
    assertThat(rebaker.runDue()).isEmpty();
    assertThat(bakes).hasValue(0);
    assertThat(rebakeEvents()).containsExactly("rebake of role web skipped: herd.yaml has uncommitted edits (it would take "
        + "openssl 3.0.15-1~deb12u1 → 3.0.16-1~deb12u1 (security)); commit or revert the edits, it is retried at the next check");
    assertThat(f.controller.status("web").currentRelease()).isEqualTo("web:v1");
  }

  @Test
  void gitSaysWhichTrackedFilesHaveUncommittedEdits() throws Exception {
    Path repo = dir.resolve("repo");
    ServerFixture.write(repo.resolve("herd.yaml"), ServerFixture.spec(1));
    git(repo, "init", "-q");
    git(repo, "add", "herd.yaml");
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "spec");
    dev.herd.spec.Spec spec = dev.herd.spec.SpecLoader.load(repo.resolve("herd.yaml")).orThrow();
    assertThat(Rebaker.gitUncommitted(spec)).isEmpty();
    ServerFixture.write(repo.resolve("herd.yaml"), ServerFixture.spec(2));
    assertThat(Rebaker.gitUncommitted(spec)).contains("uncommitted edits in git (herd.yaml)");
    // not a git work tree: nothing to say
    assertThat(Rebaker.gitUncommitted(dev.herd.spec.SpecLoader.load(f.specFile).orThrow())).isEmpty();
  }

  private static void git(Path dir, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    assertThat(p.waitFor()).isZero();
  }

  static dev.herd.spec.Location loc() {
    return new dev.herd.spec.Location(Path.of("herd.yaml"), 1, 1);
  }
}
