package dev.herd.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options every command accepts. Mixed into each command so they work after the subcommand. */
public final class GlobalOptions {
  static volatile boolean verbose;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Print more detail (stack traces on unexpected errors, per-step logs).")
  void setVerbose(boolean v) {
    verbose = v;
  }
}
