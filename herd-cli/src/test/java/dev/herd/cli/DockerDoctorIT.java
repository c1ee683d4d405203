package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.engine.docker.DockerDaemon;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** herd doctor on Docker Engine 20.10 (the tests' private dockerd, reached by DOCKER_HOST). */
@ExtendWith(DockerDaemon.class)
class DockerDoctorIT {
  @TempDir Path state;

  @Test
  void namesDockerItsApiVersionTheFormatHerdSendsAndWhatHerdCannotDo() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new DoctorCommand(Map.of("DOCKER_HOST", DockerDaemon.running().host()), null));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler(new HerdCli.Failures());
    int code = cl.execute("--state", state.toString());

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString())
        .containsPattern("used +DOCKER_HOST")
        .contains("engine          Docker Engine 20.10.24")
        .contains("(Docker API 1.41)")
        .contains("image format    docker-archive")
        .contains("adapts          loads no OCI archives")
        .contains("cannot          keeps only its last 256 events")
        .contains("ok: herd can run nodes here");
  }
}
