package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Every command and subcommand answers -h and --help with its usage, exit 0, nothing else. */
class HelpTreeTest {

  static Stream<String> commands() {
    List<String> paths = new ArrayList<>();
    walk(HerdCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())), "", paths);
    return paths.stream();
  }

  private static void walk(CommandLine cl, String prefix, List<String> paths) {
    for (var e : cl.getSubcommands().entrySet()) {
      if (!e.getKey().equals(e.getValue().getCommandName())) {
        continue; // an alias: the command itself is walked under its name
      }
      String path = (prefix + " " + e.getKey()).trim();
      paths.add(path);
      walk(e.getValue(), path, paths);
    }
  }

  @ParameterizedTest
  @MethodSource("commands")
  void answersHelp(String path) {
    for (String flag : List.of("--help", "-h")) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      List<String> args = new ArrayList<>(List.of(path.split(" ")));
      args.add(flag);
      int code = HerdCli.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
      assertThat(code).as("herd %s %s exit code (stderr: %s)", path, flag, err).isZero();
      assertThat(out.toString()).as("herd %s %s", path, flag).contains("Usage: herd " + path + " ").containsPattern("(?m)^Usage: herd ");
      assertThat(err.toString()).as("herd %s %s stderr", path, flag).isEmpty();
    }
  }

  @org.junit.jupiter.api.Test
  void treeIsWalked() {
    assertThat(commands()).contains("images", "image show", "config set", "flag set", "secret set", "rollout");
  }

  /** The command list in `herd --help` shows one summary per command: a whole sentence on one line. */
  @ParameterizedTest
  @MethodSource("commands")
  void summaryIsOneWholeSentence(String path) {
    CommandLine cl = HerdCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    for (String name : path.split(" ")) {
      cl = cl.getSubcommands().get(name);
    }
    var usage = cl.getCommandSpec().usageMessage();
    String summary = usage.header().length > 0 ? usage.header()[0] : usage.description()[0];
    // "  " + the longest command name (8) + "  " leaves 68 columns of an 80-column terminal.
    assertThat(summary).as("summary of herd %s", path).endsWith(".").hasSizeLessThanOrEqualTo(68);
  }
}
