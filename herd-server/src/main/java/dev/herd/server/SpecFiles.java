package dev.herd.server;

import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import dev.herd.spec.SpecResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** herd.yaml as the routes that run a CLI command for a client (bake, audit) read and compare it. */
final class SpecFiles {
  private SpecFiles() {}

  /** The spec as it is on disk now; {@link ApiError} 422 with every error when it is invalid. */
  static Spec load(Path specFile, String nothingDone) {
    SpecResult loaded = SpecLoader.load(specFile);
    if (loaded instanceof SpecResult.Loaded l) {
      return l.spec();
    }
    throw ApiError.invalidSpec(specFile, loaded.errors(), nothingDone);
  }

  /** Whether the client's herd.yaml is this one (a path that does not exist is not). */
  static boolean same(Path client, Path specFile) {
    try {
      return Files.isSameFile(client, specFile);
    } catch (IOException e) {
      return false;
    }
  }
}
