package dev.herd.bake.verify;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Test double for the sandbox: answers scripted results and records what was run where. */
final class ScriptedCommandRunner implements CommandRunner {
  private final Map<List<String>, Result> script = new HashMap<>();
  final List<String> calls = new ArrayList<>();

  ScriptedCommandRunner answer(List<String> command, int exit, String stdout, String stderr) {
    script.put(command, new Result(exit, stdout, stderr));
    return this;
  }

  @Override
  public Result run(Path rootfs, List<String> command, Duration timeout) {
    calls.add(rootfs + " " + String.join(" ", command));
    Result r = script.get(command);
    if (r == null) {
      throw new CommandException("sandbox refused to start: " + command.getFirst() + " not scripted");
    }
    return r;
  }
}
