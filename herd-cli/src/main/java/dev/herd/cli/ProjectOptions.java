package dev.herd.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the project is. A project is a directory with a herd.yaml; its state (image store,
 * database, keys) lives in .herd/ beside it unless --state says otherwise. Shareable caches
 * (base rootfs by package set) live under $XDG_CACHE_HOME/herd.
 */
public final class ProjectOptions {
  public static final String SPEC_FILE = "herd.yaml";

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "The spec to use (a herd.yaml or a directory holding one). Default: ./herd.yaml.")
  Path file;

  @Option(
      names = "--state",
      paramLabel = "DIR",
      description = "State directory (images, database, keys). Default: .herd/ beside the spec.")
  Path state;

  /** The spec file: -f if given, else DIR/herd.yaml for a positional DIR, else ./herd.yaml. */
  public Path specFile(Path dirArgument) {
    if (file != null && dirArgument != null) {
      throw new CliFailure(HerdCli.USAGE, "give either DIR or -f FILE, not both");
    }
    Path p = file != null ? file : dirArgument != null ? dirArgument : Path.of("");
    p = p.toAbsolutePath().normalize();
    if (Files.isDirectory(p)) {
      p = p.resolve(SPEC_FILE);
    }
    if (!Files.isRegularFile(p)) {
      throw new CliFailure(
          HerdCli.FAILED,
          "no spec at " + p + " (give a project directory, -f FILE, or run where herd.yaml is)");
    }
    return p;
  }

  /**
   * Loads the spec, or fails with every error (FILE:LINE:COL: KEY.PATH: message), one per line.
   * Commands other than validate use this: they refuse to act on a spec with errors.
   */
  public dev.herd.spec.Spec loadSpec(Path dirArgument) {
    Path f = specFile(dirArgument);
    dev.herd.spec.SpecResult result = dev.herd.spec.SpecLoader.load(f);
    if (result instanceof dev.herd.spec.SpecResult.Loaded loaded) {
      return loaded.spec();
    }
    StringBuilder sb = new StringBuilder("invalid spec; nothing was changed\n");
    for (dev.herd.spec.SpecError e : result.errors()) {
      sb.append(e.render()).append('\n');
    }
    sb.append(f.getFileName()).append(": ").append(result.errors().size()).append(" error(s) (see `herd validate`)");
    throw new CliFailure(HerdCli.FAILED, sb.toString());
  }

  public Path stateDir(Path specFile) {
    return state != null ? state.toAbsolutePath().normalize() : specFile.getParent().resolve(".herd");
  }

  public static Path cacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("herd");
  }
}
