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
    if (v) {
      // -v shows herd's own debug lines; third-party libraries stay at WARN.
      ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.herd"))
          .setLevel(ch.qos.logback.classic.Level.DEBUG);
    }
  }
}
