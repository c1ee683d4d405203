package dev.herd.cli;

import dev.herd.control.DriftCheck;
import dev.herd.control.drift.DriftFinding;
import dev.herd.engine.Engine;
import dev.herd.engine.EngineException;
import dev.herd.engine.EngineInfo;
import dev.herd.engine.docker.DockerApiEngine;
import dev.herd.spec.Durations;
import dev.herd.spec.Spec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herd drift [FLEET]}: what drifted, and what herd did about it. Reads the findings the
 * controller recorded and runs a detection pass of its own against the engine (acting on
 * nothing), so it works without {@code herd up}.
 */
@Command(
    name = "drift",
    header = "Show nodes that no longer match their release, and why.",
    mixinStandardHelpOptions = true,
    description = {
      "Show drift: nodes that no longer match their release (image, config, filesystem, tamper),",
      "orphaned herd containers and foreign containers using herd's node names or ports.",
      "One line per finding: NODE  KIND  DETAIL  → ACTION. Findings the controller recorded",
      "within --since, plus what a fresh pass against the engine finds now (\"not acted on\").",
      "Exit codes: 0 no drift, 2 drift found, 4 error (no state, engine unreachable)."
    })
public final class DriftCommand implements Callable<Integer> {
  static final int DRIFT = 2;

  @Mixin ProjectOptions project;

  @Parameters(paramLabel = "FLEET", arity = "0..1", description = "Only this fleet.")
  String fleet;

  @Option(names = "--since", paramLabel = "DURATION", defaultValue = "24h",
      description = "How far back recorded findings count (default: ${DEFAULT-VALUE}).")
  String since;

  @Option(names = "--recorded-only", description = "Do not contact the engine; show recorded findings only.")
  boolean recordedOnly;

  @picocli.CommandLine.Option(names = "--json", description = JsonOutput.DESCRIPTION)
  boolean json;

  @picocli.CommandLine.Spec CommandSpec command;

  private final Function<Path, Engine> engines;
  private final Clock clock;
  private final Duration eventWait;

  public DriftCommand() {
    this(state -> DockerApiEngine.connect(DockerApiEngine.Options.forState(state)), Clock.systemUTC(), Duration.ofMillis(1500));
  }

  DriftCommand(Function<Path, Engine> engines, Clock clock, Duration eventWait) {
    this.engines = engines;
    this.clock = clock;
    this.eventWait = eventWait;
  }

  @Override
  public Integer call() {
    Duration window;
    try {
      window = Durations.parse(since);
    } catch (IllegalArgumentException e) {
      throw new CliFailure(HerdCli.ENVIRONMENT, "--since " + since + ": " + e.getMessage());
    }
    Spec spec;
    try {
      spec = project.loadSpec(null);
    } catch (CliFailure e) {
      throw new CliFailure(HerdCli.ENVIRONMENT, e.getMessage(), e);
    }
    Path state = project.stateDir(spec.file());
    List<DriftFinding> shown = new ArrayList<>();
    List<String> blindSpots = new ArrayList<>();
    DriftCheck check;
    try {
      check = DriftCheck.open(state);
    } catch (IllegalStateException e) {
      throw new CliFailure(HerdCli.ENVIRONMENT, e.getMessage());
    }
    try (DriftCheck recorded = check) {
      if (fleet != null && !recorded.hasFleet(fleet)) {
        throw new CliFailure(HerdCli.ENVIRONMENT, "no fleet " + fleet + " in " + state);
      }
      List<DriftFinding> past = recorded.recorded(fleet, clock.instant().minus(window));
      shown.addAll(past);
      if (!recordedOnly) {
        Set<String> keys = new HashSet<>();
        past.forEach(f -> keys.add(f.key()));
        List<DriftFinding> now;
        try (Engine engine = engines.apply(state)) {
          now = recorded.scan(engine, spec.project().name(), fleet, clock, eventWait);
          EngineInfo info = engine.info();
          // what this engine keeps from herd's sight, so "no drift" is read for what it is
          info.capabilities().gaps().forEach(gap -> blindSpots.add(info.product() + " " + info.version() + " " + gap));
        } catch (EngineException e) {
          throw new CliFailure(HerdCli.ENVIRONMENT, "engine: " + e.getMessage(), e);
        }
        Set<String> known = recorded.known(now.stream().map(DriftFinding::key).toList());
        for (DriftFinding f : now) {
          if (!keys.contains(f.key()) && !known.contains(f.key())) {
            shown.add(f);
          }
        }
      }
    }
    PrintWriter out = command.commandLine().getOut();
    blindSpots.forEach(b -> command.commandLine().getErr().println("note: " + b));
    shown.sort(Comparator.comparing(DriftFinding::time));
    if (json) {
      JsonOutput.print(out, shown);
      return shown.isEmpty() ? HerdCli.OK : DRIFT;
    }
    for (DriftFinding f : shown) {
      out.println(f.line());
    }
    if (shown.isEmpty()) {
      command.commandLine().getErr().println("no drift" + (fleet == null ? "" : " in fleet " + fleet) + " (recorded since "
          + Instant.now(clock).minus(window) + (recordedOnly ? "" : ", and none on the engine now") + ")");
      return HerdCli.OK;
    }
    return DRIFT;
  }
}
