package dev.herd.engine.docker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
    List<String> cmd = new ArrayList<>();
    cmd.add("podman");
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).start();
      // read stderr beside stdout so neither pipe fills up and blocks podman
      java.util.concurrent.CompletableFuture<byte[]> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return p.getErrorStream().readAllBytes();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      byte[] out = p.getInputStream().readAllBytes();
      return new Result(p.waitFor(), out, new String(err.join(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static Result ok(String... args) {
    Result r = run(args);
    if (r.exitCode() != 0) {
      throw new IllegalStateException("podman " + String.join(" ", args) + " failed: " + r.stderr());
    }
    return r;
  }

  /** A free port in a high range that nothing on the host listens on. */
  public static int freePort() {
    for (int i = 0; i < 200; i++) {
      int p = ThreadLocalRandom.current().nextInt(30000, 40000);
      if (DockerApiEngine.portFree(p)) {
        return p;
      }
    }
    throw new IllegalStateException("no free port in 30000-39999");
  }
}
