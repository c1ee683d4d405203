package dev.herd.cli;

import dev.herd.image.Images;
import dev.herd.image.oci.ImageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

/** Opens the project's image store for the image commands and turns store errors into CLI failures. */
final class ImageState {
  private ImageState() {}

  /** --state DIR if given (no spec needed), else .herd/ beside the spec. */
  static Path stateDir(ProjectOptions project) {
    return project.state != null ? project.state.toAbsolutePath().normalize() : project.stateDir(project.specFile(null));
  }

  /** Whether a catalog exists yet (read-only commands must not create one). */
  static boolean exists(Path stateDir) {
    return Files.isRegularFile(stateDir.resolve(dev.herd.db.Db.FILE_NAME));
  }

  static <T> T with(ProjectOptions project, boolean mustExist, Function<Images, T> body) {
    Path state = stateDir(project);
    if (mustExist && !exists(state)) {
      throw new CliFailure(HerdCli.FAILED, "no images in " + state + " yet (bake a role first)");
    }
    try (Images images = Images.open(state)) {
      return body.apply(images);
    } catch (ImageException e) {
      throw new CliFailure(HerdCli.FAILED, e.getMessage(), e);
    }
  }

  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + "B";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, v >= 100 ? "%.0f%s" : "%.1f%s", v, units[u]);
  }

  static String age(Instant then, Instant now) {
    Duration d = Duration.between(then, now);
    if (d.isNegative() || d.toSeconds() < 60) {
      return d.isNegative() ? "0s" : d.toSeconds() + "s";
    }
    if (d.toMinutes() < 60) {
      return d.toMinutes() + "m";
    }
    if (d.toHours() < 48) {
      return d.toHours() + "h";
    }
    return d.toDays() + "d";
  }
}
