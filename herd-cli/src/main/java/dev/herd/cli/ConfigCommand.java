package dev.herd.cli;

import dev.herd.config.ConfigRevision;
import dev.herd.config.ConfigValue;
import dev.herd.config.Edit;
import dev.herd.config.EffectiveConfig;
import dev.herd.server.api.ConfigApi;
import dev.herd.server.client.ApiClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code herd config set|unset|get|list|history|diff|rollback ENV/ROLE ...}: versioned config per
 * environment and role (docs/config.md). Through the running controller when one runs, else on
 * the state directory.
 */
@Command(name = "config",
    header = "Versioned config per environment and role; each change a revision.", mixinStandardHelpOptions = true,
    description = "Versioned config per environment and role: each change is a revision; with on_config_change: rolling it is a new release.",
    subcommands = {ConfigCommand.Set.class, ConfigCommand.Unset.class, ConfigCommand.Get.class, ConfigCommand.ListKeys.class,
      ConfigCommand.History.class, ConfigCommand.Diff.class, ConfigCommand.Rollback.class})
public final class ConfigCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return HerdCli.USAGE;
  }

  abstract static class Base implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ProjectOptions project;

    @Parameters(index = "0", paramLabel = "ENV/ROLE", description = "e.g. prod/web")
    String scope;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    String env() {
      return ConfigClient.scope(scope)[0];
    }

    String role() {
      return ConfigClient.scope(scope)[1];
    }

    String path() {
      return "/v1/config/" + ConfigClient.seg(env()) + "/" + ConfigClient.seg(role());
    }

    /** Through the API when a controller runs, else offline; prints what it did. */
    <T> T run(java.util.function.Function<ApiClient, T> online, java.util.function.Function<ConfigClient.Offline, T> offline) {
      ConfigClient.scope(scope);
      Optional<ApiClient> api = ConfigClient.running(project);
      if (api.isPresent()) {
        return ApiConnection.call(project, () -> online.apply(api.get()));
      }
      return ConfigClient.offline(project, System.getenv(), offline);
    }
  }

  @Command(name = "set", mixinStandardHelpOptions = true, description = "Set keys in one new revision: herd config set prod/web KEY=VALUE...")
  static final class Set extends Base {
    @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY=VALUE")
    List<String> pairs;

    @Option(names = {"-m", "--message"}, description = "Why (recorded with the revision).")
    String message = "";

    @Override
    public Integer call() {
      Map<String, String> set = new LinkedHashMap<>();
      for (String p : pairs) {
        int eq = p.indexOf('=');
        if (eq <= 0) {
          throw new CliFailure(HerdCli.USAGE, "expected KEY=VALUE, got '" + p + "'");
        }
        set.put(p.substring(0, eq), p.substring(eq + 1));
      }
      String said = run(api -> api.post(path(), new ConfigApi.Change(set, List.of(), message, ConfigClient.author()),
          ConfigApi.Written.class).message(), o -> {
            ConfigRevision r = o.cfg().config().set(o.spec(), env(), role(), set, new Edit(ConfigClient.author(), message));
            return "config " + r.scope() + " revision " + r.revision() + "; " + o.note();
          });
      out().println(said);
      return HerdCli.OK;
    }
  }

  @Command(name = "unset", mixinStandardHelpOptions = true, description = "Remove stored keys in one new revision.")
  static final class Unset extends Base {
    @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY")
    List<String> keys;

    @Override
    public Integer call() {
      String said = run(api -> api.post(path(), new ConfigApi.Change(Map.of(), keys, "", ConfigClient.author()),
          ConfigApi.Written.class).message(), o -> {
            ConfigRevision r = o.cfg().config().unset(o.spec(), env(), role(), keys, Edit.by(ConfigClient.author()));
            return "config " + r.scope() + " revision " + r.revision() + "; " + o.note();
          });
      out().println(said);
      return HerdCli.OK;
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Print one key's effective value.")
  static final class Get extends Base {
    @Parameters(index = "1", paramLabel = "KEY")
    String key;

    @Override
    public Integer call() {
      String value = run(api -> api.get(path() + "/" + ConfigClient.seg(key), ConfigApi.Value.class).value(),
          o -> o.cfg().config().get(o.spec(), env(), role(), key).map(ConfigValue::value)
              .orElseThrow(() -> new CliFailure(HerdCli.FAILED, "no config key " + key + " in " + scope)));
      out().println(value);
      return HerdCli.OK;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Print the effective config (KEY=VALUE, with where each comes from).")
  static final class ListKeys extends Base {
    @picocli.CommandLine.Option(names = "--json", description = JsonOutput.DESCRIPTION)
    boolean json;

    @Override
    public Integer call() {
      ConfigApi.Config c = run(api -> api.get(path(), ConfigApi.Config.class), o -> view(o.cfg().config().list(o.spec(), env(), role())));
      if (json) {
        JsonOutput.print(out(), c);
        return HerdCli.OK;
      }
      out().println("# " + c.environment() + "/" + c.role() + " revision " + c.revision());
      for (ConfigApi.Value v : c.values()) {
        out().println(v.key() + "=" + v.value() + "    # " + (v.source().equals("spec") ? "herd.yaml" : "revision " + v.revision()));
      }
      return HerdCli.OK;
    }
  }

  @Command(name = "history", mixinStandardHelpOptions = true, description = "Revisions, newest first.")
  static final class History extends Base {
    @picocli.CommandLine.Option(names = "--json", description = JsonOutput.DESCRIPTION)
    boolean json;

    @Override
    public Integer call() {
      ConfigApi.History h = run(api -> api.get(path() + "/history", ConfigApi.History.class), o -> new ConfigApi.History(scope,
          o.cfg().config().history(o.spec(), env(), role(), 100).stream().map(r -> new ConfigApi.Revision(r.revision(), r.author(),
              r.time(), r.message(), r.set(), List.copyOf(r.unset()))).toList()));
      if (json) {
        JsonOutput.print(out(), h);
        return HerdCli.OK;
      }
      for (ConfigApi.Revision r : h.revisions()) {
        List<String> what = new ArrayList<>();
        r.set().keySet().forEach(k -> what.add("set " + k));
        r.unset().forEach(k -> what.add("unset " + k));
        out().println(r.revision() + "  " + r.time() + "  " + r.author() + "  " + String.join(", ", what)
            + (r.message().isEmpty() ? "" : "  \"" + r.message() + "\""));
      }
      if (h.revisions().isEmpty()) {
        out().println("no revisions: " + scope + " is herd.yaml's config alone (revision 0)");
      }
      return HerdCli.OK;
    }
  }

  @Command(name = "diff", mixinStandardHelpOptions = true, description = "What changes in the effective config from REV_A to REV_B.")
  static final class Diff extends Base {
    @Parameters(index = "1", paramLabel = "REV_A")
    long from;

    @Parameters(index = "2", paramLabel = "REV_B")
    long to;

    @Override
    public Integer call() {
      ConfigApi.Diff d = run(api -> api.get(path() + "/diff?from=" + from + "&to=" + to, ConfigApi.Diff.class), o -> {
        var diff = o.cfg().config().diff(o.spec(), env(), role(), from, to);
        return new ConfigApi.Diff(scope, from, to, diff.changes().stream()
            .map(c -> new ConfigApi.DiffLine(c.key(), c.before().orElse(null), c.after().orElse(null))).toList());
      });
      for (ConfigApi.DiffLine l : d.changes()) {
        if (l.before() != null) {
          out().println("- " + l.key() + "=" + l.before());
        }
        if (l.after() != null) {
          out().println("+ " + l.key() + "=" + l.after());
        }
      }
      if (d.changes().isEmpty()) {
        out().println("no difference between revisions " + from + " and " + to);
      }
      return HerdCli.OK;
    }
  }

  @Command(name = "rollback", mixinStandardHelpOptions = true, description = "A new revision with the values of revision REV.")
  static final class Rollback extends Base {
    @Parameters(index = "1", paramLabel = "REV")
    long revision;

    @Override
    public Integer call() {
      String said = run(api -> api.post(path() + "/rollback", new ConfigApi.Rollback(revision, "", ConfigClient.author()),
          ConfigApi.Written.class).message(), o -> {
            ConfigRevision r = o.cfg().config().rollback(o.spec(), env(), role(), revision, Edit.by(ConfigClient.author()));
            return "config " + r.scope() + " revision " + r.revision() + " (values of revision " + revision + "); " + o.note();
          });
      out().println(said);
      return HerdCli.OK;
    }
  }

  static ConfigApi.Config view(EffectiveConfig e) {
    return new ConfigApi.Config(e.scope().environment(), e.scope().role(), e.revision(), e.values().values().stream()
        .map(v -> new ConfigApi.Value(v.key(), v.value(), v.source().name().toLowerCase(), v.revision())).toList());
  }
}
