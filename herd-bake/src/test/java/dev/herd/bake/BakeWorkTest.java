package dev.herd.bake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BakeWorkTest {
  @TempDir Path state;

  @Test
  void workDirectoriesOfBakesWhoseProcessIsGoneAreRemovedOthersKept() throws IOException {
    Path bake = state.resolve("bake");
    // Linux pids stay below 2^22: no process has this one
    Path killed = Files.createDirectories(bake.resolve("work-999999999-web/rootfs/etc"));
    Files.writeString(killed.resolve("passwd"), "root:x:0:0::/root:/bin/sh\n");
    Path mine = Files.createDirectories(BakeWork.of(state, "api"));
    long parentPid = ProcessHandle.current().parent().orElseThrow().pid();
    Path otherLive = Files.createDirectories(bake.resolve("work-" + parentPid + "-db"));
    Path layers = Files.createDirectories(bake.resolve("layers"));

    assertThat(BakeWork.sweep(bake)).containsExactly(bake.resolve("work-999999999-web"));

    assertThat(bake.resolve("work-999999999-web")).doesNotExist();
    assertThat(mine).isDirectory();
    assertThat(otherLive).isDirectory();
    assertThat(layers).isDirectory();
    assertThat(BakeWork.sweep(state.resolve("nothing-here"))).isEmpty();
  }
}
