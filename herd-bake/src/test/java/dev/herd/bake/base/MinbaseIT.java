package dev.herd.bake.base;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.bake.run.ProcessRunner;
import dev.herd.bake.run.RunResult;
import dev.herd.bake.run.RunStepExecutor;
import dev.herd.spec.Base;
import dev.herd.spec.Location;
import dev.herd.spec.RunStep;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A minbase role with its own packages: two stages, apt kept, dpkg database from dpkg itself. */
class MinbaseIT {
  @TempDir Path work;

  @Test
  void minbaseRoleGetsABaseStageAndAPackagesStage() throws java.io.IOException {
    ProcessRunner runner = new ProcessRunner();
    PackageResolver resolver = new PackageResolver(work.resolve("apt"), runner);
    DebianBases bases = new DebianBases(new BaseCache(work.resolve("bases")), resolver, runner, BaseRecipe.hostArchitecture());
    Base.Debian minbase = new Base.Debian("bookworm", Base.Variant.MINBASE, null, List.of(), new Location(Path.of("herd.yaml"), 2, 3));

    long started = System.nanoTime();
    DebianStages stages = bases.build("tools", minbase, List.of("busybox-static"), Optional.empty(), false);
    System.out.println("minbase + busybox-static, two stages cold: " + (System.nanoTime() - started) / 1_000_000 + " ms");

    Path base = stages.base().rootfs();
    Path packages = stages.packages().rootfs();
    assertThat(base.resolve("usr/bin/apt-get")).exists();
    assertThat(stages.base().packages()).extracting(DebianPackage::name).contains("apt", "dpkg").doesNotContain("busybox-static");
    assertThat(stages.packages().packages()).containsAll(stages.base().packages());
    assertThat(stages.packages().packages()).extracting(DebianPackage::name).contains("busybox-static");
    assertThat(packages.resolve("bin/busybox")).exists();
    assertThat(base.resolve("bin/busybox")).doesNotExist();
    assertThat(base.resolve("etc/resolv.conf")).doesNotExist();
    // apt's own lock and partial dir stay; the downloaded indexes (tens of MB) do not
    try (var lists = java.nio.file.Files.list(base.resolve("var/lib/apt/lists"))) {
      assertThat(lists.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("lock", "partial");
    }
    assertThat(stages.lock().packages()).containsKeys("apt", "busybox-static");

    // dash is /bin/sh here, and dpkg inside the tree agrees with herd's reading of its database
    RunResult query = new RunStepExecutor(runner, Map.of("herd.test", "1")).run(
        new RunStep("query", "dpkg-query -W -f '${Version}' busybox-static", false, Duration.ofSeconds(60), minbase.location(), "roles.tools.run[0]"),
        packages, Map.of());
    assertThat(query.stdout()).isEqualTo(stages.lock().packages().get("busybox-static"));
  }
}
