package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * A run builds picocli's model only for the command it runs (start-up time), and says exactly
 * what the whole tree would say: same output, same exit code.
 */
class LazyTreeTest {

  static List<List<String>> runs() {
    return List.of(
        List.of(), List.of("--help"), List.of("-h"), List.of("--version"), List.of("-V"), List.of("-V", "-h"), List.of("-v", "--help"),
        List.of("statuss"), List.of("--bogus"), List.of("status", "--help"), List.of("-v", "status", "-h"),
        List.of("config", "get", "--help"), List.of("help", "status"), List.of("help"),
        List.of("config"), List.of("status", "--bogus"), List.of("validate", "/nonexistent/herd-lazy-tree"));
  }

  @ParameterizedTest
  @MethodSource("runs")
  void sameAnswerAsTheWholeTree(List<String> args) {
    String[] a = args.toArray(String[]::new);
    StringWriter lazyOut = new StringWriter();
    StringWriter lazyErr = new StringWriter();
    int lazy = HerdCli.run(a, new PrintWriter(lazyOut, true), new PrintWriter(lazyErr, true));
    StringWriter fullOut = new StringWriter();
    StringWriter fullErr = new StringWriter();
    int full = HerdCli.commandLine(new PrintWriter(fullOut, true), new PrintWriter(fullErr, true)).execute(a);
    assertThat(lazy).as("exit code of herd %s", args).isEqualTo(full);
    assertThat(lazyOut.toString()).as("stdout of herd %s", args).isEqualTo(fullOut.toString());
    assertThat(lazyErr.toString()).as("stderr of herd %s", args).isEqualTo(fullErr.toString());
  }

  @org.junit.jupiter.api.Test
  void buildsOnlyTheCommandItRuns() {
    PrintWriter sink = new PrintWriter(new StringWriter());
    CommandLine status = HerdCli.commandLine(sink, sink, new String[] {"-v", "status", "web"});
    assertThat(status.getSubcommands().keySet()).containsExactly("status");
    CommandLine root = HerdCli.commandLine(sink, sink, new String[] {"--help"});
    assertThat(root.getSubcommands()).containsKeys("status", "config", "bake");
    // listing entries only: no option model was built for them
    assertThat(root.getSubcommands().get("config").getSubcommands()).isEmpty();
    assertThat(root.getSubcommands().get("bake").getCommandSpec().options())
        .extracting(CommandLine.Model.OptionSpec::longestName).doesNotContain("--file");
    assertThat(HerdCli.commandLine(sink, sink, new String[] {"--version"}).getSubcommands()).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void eachNameIsItsCommandsName() {
    for (String name : HerdCli.SUBCOMMANDS) {
      assertThat(HerdCli.subcommand(name).getAnnotation(CommandLine.Command.class).name()).isEqualTo(name);
    }
    assertThat(HerdCli.subcommand("nope")).isNull();
  }
}
