package dev.herd.engine.docker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An engine's own CLI ({@code podman}, or {@code docker -H unix://...} for the tests' private
 * dockerd), for what a human does beside herd in integration tests.
 */
public record HostCli(String name, List<String> prefix) {
  public static final HostCli PODMAN = new HostCli("podman", List.of("podman"));

  public HostCli {
    prefix = List.copyOf(prefix);
  }

  public Podman.Result run(String... args) {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).start();
      // read stderr beside stdout so neither pipe fills up and blocks the CLI
      CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
        try {
          return p.getErrorStream().readAllBytes();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      byte[] out = p.getInputStream().readAllBytes();
      return new Podman.Result(p.waitFor(), out, new String(err.join(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public Podman.Result ok(String... args) {
    Podman.Result r = run(args);
    if (r.exitCode() != 0) {
      throw new IllegalStateException(name + " " + String.join(" ", args) + " failed: " + r.stderr());
    }
    return r;
  }

  /** True when a container of that name or id exists (running or not). */
  public boolean containerExists(String nameOrId) {
    return run("container", "inspect", nameOrId).exitCode() == 0;
  }
}
