package dev.herd.engine.docker;

import static org.awaitility.Awaitility.await;

import dev.herd.engine.Engine;
import dev.herd.engine.EnsuredImage;
import dev.herd.engine.ImageSource;
import dev.herd.engine.NodeInfo;
import dev.herd.engine.NodeRef;
import dev.herd.engine.NodeSpec;
import dev.herd.engine.contract.EngineContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engine contract held by a real engine through its Docker-compatible API (Podman, Docker
 * Engine); the subclass connects and names the engine's own CLI for what a human does beside herd.
 */
abstract class RealEngineContract extends EngineContract {
  /** The engine for the whole class. */
  protected abstract DockerApiEngine shared();

  /** The engine's own CLI. */
  protected abstract HostCli cli();

  /** Where the engine under test keeps node secrets. */
  protected abstract Path secretsRoot();

  static Path newSecretsRoot() throws IOException {
    return Files.createTempDirectory(Path.of("/dev/shm"), "herd-test-secrets-");
  }

  static void closeAndCheck(DockerApiEngine engine, Path secretsRoot) throws IOException {
    if (engine != null) {
      engine.close();
    }
    try (var s = Files.list(secretsRoot)) {
      if (s.findAny().isPresent()) {
        throw new AssertionError("secrets left behind under " + secretsRoot);
      }
    }
    Files.delete(secretsRoot);
  }

  @Override
  protected Engine openEngine() {
    return shared();
  }

  @Override
  protected void closeEngine(Engine e) {
    // one engine (and podman service) for the whole class
  }

  @Override
  protected Clock clock() {
    return Clock.systemUTC();
  }

  @Override
  protected ImageSource testImage() {
    return BusyboxImage.get().source();
  }

  static List<String> serveCommand() {
    return command(Program.SERVE);
  }

  static List<String> command(Program program) {
    String script = switch (program) {
      case SERVE -> "trap 'exit 0' TERM; /bin/busybox httpd -f -v -p 127.0.0.1:$PORT -h /www & "
          + "until /bin/busybox wget -q -O /dev/null http://127.0.0.1:$PORT/; do /bin/busybox sleep 0.1; done; "
          + "echo " + STARTUP_LINE + "; wait";
      case IGNORE_TERM -> "trap '' TERM; echo " + STARTUP_LINE + "; while true; do /bin/busybox sleep 1; done";
      case EXIT_3_AFTER_1S -> "echo " + STARTUP_LINE + "; /bin/busybox sleep 1; exit 3";
      case BURN_CPU -> "echo " + STARTUP_LINE + "; while :; do :; done";
    };
    return List.of("/bin/busybox", "sh", "-c", script);
  }

  @Override
  protected NodeSpec withProgram(NodeSpec spec, Program program) {
    return spec.toBuilder().command(command(program)).build();
  }

  @Override
  protected void letTimePass(Duration d) {
    await().pollDelay(d).atMost(d.plusSeconds(5)).until(() -> true);
  }

  @Override
  protected void createForeignContainer(String name, Map<String, String> labels) {
    List<String> args = new ArrayList<>(List.of("create", "--name", name, "--network", "none"));
    labels.forEach((k, v) -> args.addAll(List.of("--label", k + "=" + v)));
    args.addAll(List.of(EnsuredImage.refFor(BusyboxImage.get().digest()), "/bin/busybox", "sleep", "600"));
    cli().ok(args.toArray(String[]::new));
  }

  @Override
  protected boolean containerExists(String name) {
    return cli().containerExists(name);
  }

  @Override
  protected void removeForeignContainer(String name) {
    cli().run("rm", "-f", name);
  }

  @Override
  protected void execByHand(NodeInfo node) {
    cli().ok("exec", node.ref().containerName(), "/bin/busybox", "true");
  }

  @Override
  protected boolean writeByHand(NodeInfo node, String path) {
    return cli().run("exec", node.ref().containerName(), "/bin/busybox", "sh", "-c",
        "echo touched > " + path).exitCode() == 0;
  }

  @Override
  protected Optional<byte[]> readSecretInNode(NodeInfo node, String name) {
    Podman.Result r = cli().run("exec", node.ref().containerName(), "/bin/busybox", "cat", "/run/secrets/" + name);
    return r.exitCode() == 0 ? Optional.of(r.stdout()) : Optional.empty();
  }

  @Override
  protected Optional<byte[]> readSecretInNodeAs(NodeInfo node, String name, int uid, int gid) {
    Podman.Result r = cli().run("exec", "--user", uid + ":" + gid, node.ref().containerName(),
        "/bin/busybox", "cat", "/run/secrets/" + name);
    return r.exitCode() == 0 ? Optional.of(r.stdout()) : Optional.empty();
  }

  @Override
  protected boolean secretsDirExists(NodeRef node) {
    return Files.exists(secretsRoot().resolve(node.containerName()));
  }

  @Override
  protected void makeNodeLog(NodeInfo node, String marker) {
    cli().ok("exec", node.ref().containerName(), "/bin/busybox", "sh", "-c", "echo " + marker + " > /proc/1/fd/1");
  }


  @Override
  protected Optional<byte[]> readFileInNodeAs(NodeInfo node, String path, int uid, int gid) {
    Podman.Result r = cli().run("exec", "--user", uid + ":" + gid, node.ref().containerName(), "/bin/busybox", "cat", path);
    return r.exitCode() == 0 ? Optional.of(r.stdout()) : Optional.empty();
  }

  @Override
  protected Optional<byte[]> readFileInNode(NodeInfo node, String path) {
    Podman.Result r = cli().run("exec", node.ref().containerName(), "/bin/busybox", "cat", path);
    return r.exitCode() == 0 ? Optional.of(r.stdout()) : Optional.empty();
  }

  @Override
  protected void createForeignVolume(String name) {
    cli().ok("volume", "create", name);
  }

  @Override
  protected void removeForeignVolume(String name) {
    cli().run("volume", "rm", "-f", name);
  }

  @Override
  protected List<String> countCommand() {
    return List.of("/bin/busybox", "seq", "1", "30000");
  }

  @Override
  protected List<String> failingCommand() {
    return List.of("/bin/busybox", "sh", "-c", "echo oops >&2; exit 3");
  }
}
