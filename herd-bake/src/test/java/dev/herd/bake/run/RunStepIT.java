package dev.herd.bake.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.bake.base.BaseCache;
import dev.herd.bake.base.BaseRecipe;
import dev.herd.bake.base.BuiltBase;
import dev.herd.bake.base.DebianBases;
import dev.herd.bake.base.PackageResolver;
import dev.herd.bake.base.TreeListing;
import dev.herd.spec.Base;
import dev.herd.spec.Location;
import dev.herd.spec.RunStep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real podman on a busybox tree built once by mmdebstrap; each test stages its own copy. */
class RunStepIT {
  static final Map<String, String> TEST_LABEL = Map.of("herd.test", "1");
  static final Location AT = new Location(Path.of("herd.yaml"), 9, 5);

  @TempDir static Path work;
  static BuiltBase busybox;
  static final ProcessRunner runner = new ProcessRunner();
  static final RunStepExecutor executor = new RunStepExecutor(runner, TEST_LABEL);

  @BeforeAll
  static void buildBase() {
    busybox = new DebianBases(new BaseCache(work.resolve("bases")), new PackageResolver(work.resolve("apt"), runner), runner,
        BaseRecipe.hostArchitecture())
        .build("t", new Base.Debian("bookworm", Base.Variant.EXTRACT, null, List.of("busybox-static"), AT), List.of(), Optional.empty(), false)
        .base();
  }

  @AfterAll
  static void noContainerLeft() {
    ProcessResult ps = runner.run(List.of("podman", "ps", "-a", "-q", "--filter", "label=herd.bake=run", "--filter", "label=herd.test=1"),
        Map.of(), Duration.ofSeconds(30));
    assertThat(ps.stdout()).isBlank();
  }

  static Path stage(String name) throws IOException {
    Path target = work.resolve(name);
    ProcessResult copy = runner.run(List.of("cp", "-a", busybox.rootfs().toString(), target.toString()), Map.of(), Duration.ofMinutes(1));
    assertThat(copy.succeeded()).as(copy.stderr()).isTrue();
    return target;
  }

  static RunStep step(String name, String shell, boolean network, Duration timeout) {
    return new RunStep(name, shell, network, timeout, AT, "roles.web.run[0]");
  }

  @Test
  void stepWritesIntoTheTreeAndLeavesNoRuntimeFiles() throws IOException {
    Path rootfs = stage("write");
    List<String> before = TreeListing.of(rootfs);

    RunResult result = executor.run(step("motd", "mkdir -p /srv/www\necho \"baked $GREETING\" > /srv/www/index.html\necho done",
        false, Duration.ofSeconds(60)), rootfs, Map.of("GREETING", "hello"));

    assertThat(result.stdout()).isEqualTo("done\n");
    assertThat(rootfs.resolve("srv/www/index.html")).hasContent("baked hello");
    List<String> added = new ArrayList<>(TreeListing.of(rootfs));
    added.removeAll(before);
    assertThat(added).extracting(l -> l.substring(0, l.indexOf(' '))).containsExactlyInAnyOrder("/srv", "/srv/www", "/srv/www/index.html");
  }

  @Test
  void stepWithoutNetworkSeesOnlyLoopback() throws IOException {
    Path rootfs = stage("offline");
    String listInterfaces = "for i in $(ls /sys/class/net); do echo IF=$i; done";
    RunResult offline = executor.run(step("offline", listInterfaces, false, Duration.ofSeconds(60)), rootfs, Map.of());
    assertThat(offline.stdout().lines()).containsExactly("IF=lo");

    // the same check sees the host's interfaces when the step asks for network
    RunResult online = executor.run(step("online", listInterfaces, true, Duration.ofSeconds(60)), rootfs, Map.of());
    assertThat(online.stdout().lines()).contains("IF=lo").hasSizeGreaterThan(1);
  }

  @Test
  void stepOverItsTimeoutIsKilledWithAClearMessage() throws IOException {
    Path rootfs = stage("slow");
    long started = System.nanoTime();
    assertThatThrownBy(() -> executor.run(step("warm-cache", "echo warming; sleep 120", false, Duration.ofSeconds(2)), rootfs, Map.of()))
        .isInstanceOf(RunStepException.class)
        .hasMessageContaining("run step 'warm-cache' (herd.yaml:9:5, roles.web.run[0]) timed out after 2s")
        .hasMessageContaining("warming");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void failingStepReportsItsStatusAndOutput() throws IOException {
    Path rootfs = stage("fail");
    assertThatThrownBy(() -> executor.run(step("migrate", "echo step one\nfalse\necho never", false, Duration.ofSeconds(60)), rootfs,
        Map.of()))
        .hasMessageContaining("run step 'migrate'")
        .hasMessageContaining("exit status 1")
        .hasMessageContaining("step one")
        .hasMessageNotContaining("never");
  }

  @Test
  void sandboxCommandNeverChangesTheTree() throws IOException {
    Path rootfs = stage("sandbox");
    List<String> before = TreeListing.of(rootfs);
    SandboxCommand.Result result = new SandboxCommand(runner, TEST_LABEL).run(rootfs,
        List.of("/bin/busybox", "sh", "-c", "echo scribble > /etc/scribble; rm /usr/share/doc/busybox-static/copyright; cat /etc/scribble; exit 4"),
        Duration.ofSeconds(60));
    assertThat(result.exitStatus()).isEqualTo(4);
    assertThat(result.stdout()).isEqualTo("scribble\n");
    assertThat(result.timedOut()).isFalse();
    assertThat(TreeListing.of(rootfs)).isEqualTo(before);
    assertThat(Files.exists(rootfs.resolve("etc/scribble"))).isFalse();
  }
}
