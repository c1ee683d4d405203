package dev.herd.engine.docker;

import dev.herd.engine.EngineFailure;
import dev.herd.engine.NodeRef;
import dev.herd.engine.NodeSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * Per-node secret files on a host tmpfs (so they never touch a disk): one directory per node
 * (0700) holding one file per secret (0400), mounted read-only at /run/secrets and deleted
 * with the node. The node's directory and files belong to the uid/gid its process runs as
 * ({@link NodeSpec#runAs()}), so a non-root app reads them; the root directory above them stays
 * root's 0700, so nobody else on the host reaches them. A herd that is not root cannot give
 * files away: its nodes' secrets stay its own (readable as root in the container).
 */
public final class SecretFiles {
  private final Path root;

  public SecretFiles(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** /dev/shm when the host has it (tmpfs), else $XDG_RUNTIME_DIR, else /run. */
  public static Path defaultRoot(Map<String, String> env) {
    if (Files.isDirectory(Path.of("/dev/shm"))) {
      return Path.of("/dev/shm/herd-secrets");
    }
    String xdg = env.get("XDG_RUNTIME_DIR");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "herd-secrets");
    }
    return Path.of("/run/herd-secrets");
  }

  public Path root() {
    return root;
  }

  public Path dirFor(NodeRef node) {
    return root.resolve(node.containerName());
  }

  public boolean exists(NodeRef node) {
    return Files.exists(dirFor(node));
  }

  /** Writes the node's secrets; empty when it has none (then nothing is mounted). */
  Optional<Path> write(NodeSpec spec) {
    if (spec.secrets().isEmpty()) {
      return Optional.empty();
    }
    Path dir = dirFor(spec.ref());
    try {
      createPrivateDir(root);
      deleteTree(dir); // a leftover from a crash between write and create
      createPrivateDir(dir);
      for (String name : spec.secrets().keySet()) {
        Path file = dir.resolve(name);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        byte[] value = spec.secret(name);
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE)) {
          out.write(value);
        } finally {
          java.util.Arrays.fill(value, (byte) 0);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
        giveTo(file, spec.runAs());
      }
      giveTo(dir, spec.runAs());
      return Optional.of(dir);
    } catch (IOException e) {
      remove(spec.ref());
      throw new EngineFailure("cannot write secrets for " + spec.ref() + " under " + root + ": " + e.getMessage(), 0, e);
    }
  }

  /** Deletes the node's secrets directory if it exists. */
  void remove(NodeRef node) {
    try {
      deleteTree(dirFor(node));
    } catch (IOException e) {
      throw new EngineFailure("cannot delete secrets of " + node + " at " + dirFor(node) + ": " + e.getMessage(), 0, e);
    }
  }

  /** chown to the node's user; only root can, and only a different user needs it. */
  private static void giveTo(Path p, NodeSpec.RunAs user) throws IOException {
    int me = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    if (me != 0 || user.equals(new NodeSpec.RunAs(me, (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)))) {
      return;
    }
    Files.setAttribute(p, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
  }

  private static void createPrivateDir(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
    }
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
