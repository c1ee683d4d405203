package dev.herd.image.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code skopeo copy} for one registry. Credentials go into an auth file of mode 0600 in a
 * private (0700) temp directory that is deleted afterwards; they never reach argv or the
 * environment, which other users can read through /proc. A CA file is copied into a private cert
 * directory, which is how skopeo takes extra trust roots.
 */
final class Skopeo {
  private static final Logger log = LoggerFactory.getLogger(Skopeo.class);
  /** Environment variables that would make skopeo read credentials other than ours. */
  private static final List<String> DROPPED_ENV = List.of("REGISTRY_AUTH_FILE", "DOCKER_CONFIG");

  private final String executable;
  private final long timeoutMinutes;

  Skopeo(String executable, long timeoutMinutes) {
    this.executable = executable;
    this.timeoutMinutes = timeoutMinutes;
  }

  /** What a finished skopeo run said: exit status, stdout, and stderr reduced to skopeo's message. */
  record Outcome(int exit, String message, byte[] stdout) {
    Outcome(int exit, String message) {
      this(exit, message, new byte[0]);
    }
  }

  /** {@code skopeo inspect --raw REF}: the manifest (or index) bytes exactly as the registry serves them. */
  Outcome inspectRaw(RegistryAccess access, String ref) {
    return run(List.of("inspect", "--raw"), "", access, List.of(), List.of(ref), true);
  }

  /**
   * Runs {@code skopeo copy ARGS... SOURCE DEST}, with the auth and TLS options for {@code access}
   * on the side named by {@code side} ("src" or "dest").
   */
  Outcome copy(String side, RegistryAccess access, List<String> args, String source, String dest) {
    return run(List.of("copy", "--quiet"), side + "-", access, args, List.of(source, dest), false);
  }

  private Outcome run(List<String> verb, String flagPrefix, RegistryAccess access, List<String> args, List<String> operands, boolean keepStdout) {
    Path priv = null;
    try {
      priv = Files.createTempDirectory("herd-registry-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path authFile = priv.resolve("auth.json");
      Files.createFile(authFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      String auths = access.credentials() == null ? "{\"auths\":{}}"
          : "{\"auths\":{\"" + access.host() + "\":{\"auth\":\"" + access.credentials().basicAuth() + "\"}}}";
      Files.writeString(authFile, auths, StandardCharsets.UTF_8);
      List<String> cmd = new ArrayList<>(List.of(executable, "--insecure-policy"));
      cmd.addAll(verb);
      cmd.addAll(args);
      cmd.add("--" + flagPrefix + "authfile=" + authFile);
      cmd.add("--" + flagPrefix + "tls-verify=" + !access.plainHttp());
      if (access.caFile() != null) {
        Path certs = Files.createDirectory(priv.resolve("certs"));
        Files.copy(access.caFile(), certs.resolve("ca.crt"), StandardCopyOption.REPLACE_EXISTING);
        cmd.add("--" + flagPrefix + "cert-dir=" + certs);
      }
      cmd.addAll(operands);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(keepStdout
          ? ProcessBuilder.Redirect.to(priv.resolve("stdout").toFile()) : ProcessBuilder.Redirect.DISCARD);
      DROPPED_ENV.forEach(pb.environment()::remove);
      pb.redirectError(priv.resolve("stderr").toFile());
      log.debug("skopeo {} {}", verb, operands);
      Process p = pb.start();
      try {
        if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
          p.destroyForcibly();
          return new Outcome(-1, "no answer within " + timeoutMinutes + " minutes");
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new RegistryException("interrupted while running skopeo " + verb.get(0) + " " + String.join(" ", operands));
      }
      String err = Files.readString(priv.resolve("stderr"), StandardCharsets.UTF_8);
      byte[] out = keepStdout ? Files.readAllBytes(priv.resolve("stdout")) : new byte[0];
      return new Outcome(p.exitValue(), message(err), out);
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("error=2")) {
        throw new RegistryException("skopeo is not installed (run scripts/install-host-deps)");
      }
      throw new RegistryException("cannot run skopeo: " + e.getMessage());
    } finally {
      deleteTree(priv);
    }
  }

  /** skopeo's fatal line is {@code time=... level=fatal msg="..."}; keep only the message. */
  static String message(String stderr) {
    String last = "";
    for (String line : stderr.split("\n")) {
      if (!line.isBlank()) {
        last = line.strip();
      }
    }
    int msg = last.indexOf("msg=\"");
    if (msg >= 0) {
      String m = last.substring(msg + 5);
      if (m.endsWith("\"")) {
        m = m.substring(0, m.length() - 1);
      }
      return m.replace("\\\"", "\"");
    }
    return last;
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          log.warn("could not delete {}: {}", p, e.toString());
        }
      });
    } catch (IOException e) {
      log.warn("could not clean up {}: {}", dir, e.toString());
    }
  }
}
