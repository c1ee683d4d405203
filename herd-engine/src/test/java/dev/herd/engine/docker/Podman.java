package dev.herd.engine.docker;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** The podman CLI, for what a human (or the host) does beside herd in integration tests. */
public final class Podman {
  public record Result(int exitCode, byte[] stdout, String stderr) {
    public String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }
  }

  private Podman() {}

  public static Result run(String... args) {
    return HostCli.PODMAN.run(args);
  }

  public static Result ok(String... args) {
    return HostCli.PODMAN.ok(args);
  }

  /** A free port that nothing on the host listens on, below the kernel's ephemeral range (32768+). */
  public static int freePort() {
    return freePort(30100, 31000);
  }

  /** A free port in [from, to). */
  public static int freePort(int from, int to) {
    for (int i = 0; i < 200; i++) {
      int p = ThreadLocalRandom.current().nextInt(from, to);
      if (DockerApiEngine.portFree(p)) {
        return p;
      }
    }
    throw new IllegalStateException("no free port in " + from + "-" + (to - 1));
  }
}
