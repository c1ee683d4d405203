package dev.herd.cli;

import dev.herd.spec.SpecSchema;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/** {@code herd schema}: prints the JSON Schema of herd.yaml, for editors and linters. */
@Command(
    name = "schema",
    mixinStandardHelpOptions = true,
    description = {
      "Print the JSON Schema (draft 2020-12) of herd.yaml.",
      "Editors use it for completion, e.g. with the YAML language server:",
      "  herd schema > herd.schema.json",
      "  # yaml-language-server: $schema=herd.schema.json   (first line of herd.yaml)"
    })
public final class SchemaCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec CommandSpec command;

  @Override
  public Integer call() {
    command.commandLine().getOut().print(SpecSchema.json());
    command.commandLine().getOut().flush();
    return HerdCli.OK;
  }
}
