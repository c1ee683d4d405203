package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** herd doctor on this host: Podman 4 with runc and cgroupfs, started by herd when no socket runs. */
class DoctorCommandIT {
  @TempDir Path state;

  @Test
  void reportsTheEngineItUsesWithRuntimeAndCgroupManager() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = HerdCli.run(new String[] {"doctor", "--state", state.toString()},
        new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("DOCKER_HOST")
        .contains("podman socket (rootful)")
        .contains("docker socket")
        .containsPattern("used +\\S")
        .contains("Podman Engine 4.")
        .contains("runtime         runc")
        .contains("cgroup manager  cgroupfs")
        .contains("ok: herd can run nodes here");
  }
}
