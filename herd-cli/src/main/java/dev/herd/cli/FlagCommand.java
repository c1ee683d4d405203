package dev.herd.cli;

import dev.herd.config.Edit;
import dev.herd.config.Evaluation;
import dev.herd.config.Flag;
import dev.herd.config.FlagContext;
import dev.herd.config.FlagRevision;
import dev.herd.server.api.ConfigApi;
import dev.herd.server.client.ApiClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herd flag set|get|list|kill}: feature flags per environment, live on every node without a release. */
@Command(name = "flag",
    header = "Feature flags per environment: live on every node, never a release.", mixinStandardHelpOptions = true,
    description = "Feature flags per environment: live on every node at once (flags.json, watch API), never a release.",
    subcommands = {FlagCommand.Set.class, FlagCommand.Get.class, FlagCommand.ListFlags.class, FlagCommand.Kill.class})
public final class FlagCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return HerdCli.USAGE;
  }

  abstract static class Base implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ProjectOptions project;

    @Parameters(index = "0", paramLabel = "ENV")
    String env;

    <T> T run(java.util.function.Function<ApiClient, T> online, java.util.function.Function<ConfigClient.Offline, T> offline) {
      Optional<ApiClient> api = ConfigClient.running(project);
      if (api.isPresent()) {
        return ApiConnection.call(project, () -> online.apply(api.get()));
      }
      return ConfigClient.offline(project, System.getenv(), offline);
    }

    String path(String name) {
      return "/v1/flags/" + ConfigClient.seg(env) + (name == null ? "" : "/" + ConfigClient.seg(name));
    }
  }

  @Command(name = "set",
    header = "Create or change a flag: on, off, a percentage or variants.", mixinStandardHelpOptions = true,
      description = "Create or change a flag: --on, --off or --percent N (on for N%% of keys), --variants a:1,b:2.")
  static final class Set extends Base {
    @Parameters(index = "1", paramLabel = "NAME")
    String name;

    static final class State {
      @Option(names = "--on", description = "Serve it (to --percent of keys; 100 by default).") boolean on;
      @Option(names = "--off", description = "Serve the off value to everyone.") boolean off;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    State state;

    @Option(names = "--percent", paramLabel = "N", description = "Rollout percentage 0-100 (sticky per key).")
    Double percent;

    @Option(names = "--variants", paramLabel = "V[:W],...", split = ",", description = "Variant values with weights (a variant flag).")
    List<String> variants;

    @Option(names = "--off-value", paramLabel = "VALUE", description = "What a variant flag serves when off (default: off).")
    String offValue;

    @Override
    public Integer call() {
      if (state == null && percent == null && variants == null) {
        throw new CliFailure(HerdCli.USAGE, "say what to change: --on, --off, --percent N or --variants");
      }
      Boolean on = state == null ? (percent != null ? Boolean.TRUE : null) : state.on;
      List<ConfigApi.Variant> vs = variants == null ? null : parse(variants);
      ConfigApi.FlagChange change = new ConfigApi.FlagChange(on, percent, vs, offValue, null, null, ConfigClient.author());
      String said = run(api -> api.putJson(path(name), change, ConfigApi.Written.class).message(), o -> {
        Flag f = o.cfg().flags().get(env, name).orElseGet(() -> Flag.created(name, offValue, vs == null ? null : variants(vs)));
        if (on != null) {
          f = f.withEnabled(on);
        }
        if (percent != null) {
          f = f.withRollout(percent);
        }
        FlagRevision r = o.cfg().flags().put(o.spec(), env, f, Edit.by(ConfigClient.author()));
        return "flag " + name + " in " + env + " stored (flag revision " + r.revision() + "); " + o.note();
      });
      spec.commandLine().getOut().println(said);
      return HerdCli.OK;
    }

    private static List<ConfigApi.Variant> parse(List<String> texts) {
      List<ConfigApi.Variant> out = new ArrayList<>();
      for (String t : texts) {
        int c = t.lastIndexOf(':');
        try {
          out.add(c < 0 ? new ConfigApi.Variant(t, 1) : new ConfigApi.Variant(t.substring(0, c), Integer.parseInt(t.substring(c + 1))));
        } catch (NumberFormatException e) {
          throw new CliFailure(HerdCli.USAGE, "variant weight must be a whole number: '" + t + "'");
        }
      }
      return out;
    }

    private static List<Flag.Variant> variants(List<ConfigApi.Variant> vs) {
      return vs.stream().map(v -> new Flag.Variant(v.value(), v.weight())).toList();
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "The flag's value for a key and why.")
  static final class Get extends Base {
    @Parameters(index = "1", paramLabel = "NAME")
    String name;

    @Option(names = "--key", paramLabel = "K", description = "The bucketing key (a user or account id).")
    String key = "";

    @Override
    public Integer call() {
      ConfigApi.Evaluation e = run(api -> api.get(path(name) + "?key=" + ConfigClient.seg(key), ConfigApi.Evaluation.class), o -> {
        if (!o.spec().environments().containsKey(env)) {
          throw new CliFailure(HerdCli.FAILED, "unknown environment " + env + " (environments: "
              + String.join(", ", new java.util.TreeSet<>(o.spec().environments().keySet())) + ")");
        }
        Evaluation x = o.cfg().flags().evaluate(env, name, FlagContext.ofKey(key));
        return new ConfigApi.Evaluation(x.flag(), x.value(), x.on(), x.reason(), x.revision());
      });
      spec.commandLine().getOut().println(e.value() + "  (" + e.reason() + "; flag revision " + e.revision() + ")");
      return HerdCli.OK;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "The environment's flags.")
  static final class ListFlags extends Base {
    @picocli.CommandLine.Option(names = "--json", description = JsonOutput.DESCRIPTION)
    boolean json;

    @Override
    public Integer call() {
      ConfigApi.Flags flags = run(api -> api.get(path(null), ConfigApi.Flags.class), o -> {
        var set = o.cfg().flags().snapshot(env);
        return new ConfigApi.Flags(env, set.revision(), set.flags().values().stream().map(f -> new ConfigApi.FlagView(f.name(),
            f.kind().name().toLowerCase(), f.enabled(), f.killed(), f.rolloutBasisPoints() / 100.0 + "%", f.offValue(),
            f.variants().stream().map(v -> new ConfigApi.Variant(v.value(), v.weight())).toList(), f.description())).toList());
      });
      if (json) {
        JsonOutput.print(spec.commandLine().getOut(), flags);
        return HerdCli.OK;
      }
      for (ConfigApi.FlagView f : flags.flags()) {
        spec.commandLine().getOut().println(f.name() + "  " + (f.killed() ? "KILLED" : f.on() ? "on " + f.rollout() : "off")
            + "  " + f.kind());
      }
      if (flags.flags().isEmpty()) {
        spec.commandLine().getOut().println("no flags in " + env);
      }
      return HerdCli.OK;
    }
  }

  @Command(name = "kill", mixinStandardHelpOptions = true, description = "Kill switch: everyone gets the off value now.")
  static final class Kill extends Base {
    @Parameters(index = "1", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      String said = run(api -> api.post(path(name) + "/kill", null, ConfigApi.Written.class).message(), o -> {
        FlagRevision r = o.cfg().flags().kill(o.spec(), env, name, Edit.by(ConfigClient.author()));
        return "flag " + name + " in " + env + " killed (flag revision " + r.revision() + "); " + o.note();
      });
      spec.commandLine().getOut().println(said);
      return HerdCli.OK;
    }
  }
}
