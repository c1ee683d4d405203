package dev.herd.cli;

import dev.herd.common.Refusal;
import dev.herd.db.DbException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** The {@code herd} root command. Exit codes are mapped here and only here (see docs/cli.md). */
@Command(
    name = "herd",
    // Inherited: every subcommand answers -h/--help (and -V) without declaring it.
    scope = picocli.CommandLine.ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = HerdCli.Version.class,
    description = {
      "Immutable infrastructure in one tool: bake a role into a versioned image,",
      "run a fleet of identical nodes from it, replace instead of repair.",
      ""
    },
    footer = {"", "Exit codes: 0 ok, 1 failed (invalid spec, failed bake...), 2 usage error,", "4 environment error (missing tool, engine unreachable). See docs/cli.md."})
public final class HerdCli implements java.util.concurrent.Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.Mixin GlobalOptions global;

  /** {@code herd} alone: show what there is to run. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return USAGE;
  }

  /** Process exit codes; keep docs/cli.md in step. */
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  public static final int ENVIRONMENT = 4;
  public static final int INTERRUPTED = 130;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** The subcommands' names, in the order {@code herd --help} lists them. */
  static final List<String> SUBCOMMANDS = List.of("help", "validate", "schema", "bake", "images", "image",
      "promote", "revoke", "outdated", "gc", "login", "push", "pull", "up", "apply", "plan", "status", "events", "logs", "scale", "rollback", "rollout", "backup", "backups", "restore",
      "dashboard", "down", "render", "config", "secret", "flag", "doctor", "drift", "audit");

  /**
   * The class of a subcommand, or null. A switch rather than the annotation's list or a map of
   * classes: a run then loads and models only the command it runs (building picocli's model of
   * the whole tree, about 60 commands by reflection, was most of a short command's start-up).
   */
  static Class<?> subcommand(String name) {
    return switch (name) {
      case "help" -> CommandLine.HelpCommand.class;
      case "validate" -> ValidateCommand.class;
      case "schema" -> SchemaCommand.class;
      case "bake" -> BakeCommand.class;
      case "images" -> ImagesCommand.class;
      case "image" -> ImageCommand.class;
      case "promote" -> PromoteCommand.class;
      case "revoke" -> RevokeCommand.class;
      case "outdated" -> OutdatedCommand.class;
      case "gc" -> GcCommand.class;
      case "login" -> LoginCommand.class;
      case "push" -> PushCommand.class;
      case "pull" -> PullCommand.class;
      case "up" -> UpCommand.class;
      case "apply" -> ApplyCommand.class;
      case "plan" -> PlanCommand.class;
      case "status" -> StatusCommand.class;
      case "events" -> EventsCommand.class;
      case "logs" -> LogsCommand.class;
      case "scale" -> ScaleCommand.class;
      case "rollback" -> RollbackCommand.class;
      case "rollout" -> RolloutCommand.class;
      case "backup" -> BackupCommand.class;
      case "backups" -> BackupsCommand.class;
      case "restore" -> RestoreCommand.class;
      case "dashboard" -> DashboardCommand.class;
      case "down" -> DownCommand.class;
      case "render" -> RenderCommand.class;
      case "config" -> ConfigCommand.class;
      case "secret" -> SecretCommand.class;
      case "flag" -> FlagCommand.class;
      case "doctor" -> DoctorCommand.class;
      case "drift" -> DriftCommand.class;
      case "audit" -> AuditCommand.class;
      default -> null;
    };
  }

  /** Runs herd in-process; used by main and by tests. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    GlobalOptions.verbose = false; // one command per run: an earlier in-process run's -v does not carry over
    return commandLine(out, err, args).execute(args);
  }

  /** The whole command tree (help, tests). */
  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new HerdCli());
    SUBCOMMANDS.forEach(n -> cl.addSubcommand(n, subcommand(n)));
    return configure(cl, out, err);
  }

  /**
   * The tree needed to run {@code args}. A command named by the first argument that is not an
   * option gets its model, and only it; with no command name (herd, --help, --version) or an
   * unknown one, each subcommand is a listing entry (name, header, description: what the root's
   * usage and the "did you mean" suggestions show); {@code --version} alone gets no subcommand;
   * {@code help} gets the whole tree.
   */
  static CommandLine commandLine(PrintWriter out, PrintWriter err, String[] args) {
    String name = Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse(null);
    if ("help".equals(name)) {
      return commandLine(out, err);
    }
    CommandLine cl = new CommandLine(new HerdCli());
    Class<?> only = name == null ? null : subcommand(name);
    boolean versionOnly = name == null && Arrays.stream(args).anyMatch(a -> a.equals("-V") || a.equals("--version"))
        && Arrays.stream(args).noneMatch(a -> a.equals("-h") || a.equals("--help"));
    if (only != null) {
      cl.addSubcommand(name, only);
    } else if (!versionOnly) {
      SUBCOMMANDS.forEach(n -> cl.addSubcommand(n, listing(subcommand(n).getAnnotation(Command.class))));
    }
    return configure(cl, out, err);
  }

  /** A subcommand as the root's usage lists it, without the reflection over its options. */
  private static CommandSpec listing(Command command) {
    CommandSpec spec = CommandSpec.create().name(command.name());
    spec.usageMessage().header(command.header()).description(command.description()).hidden(command.hidden());
    return spec;
  }

  private static CommandLine configure(CommandLine cl, PrintWriter out, PrintWriter err) {
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler(new ShortErrors());
    cl.setExecutionExceptionHandler(new Failures());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  /** Usage errors: one line saying what is wrong and how to get help, not the whole usage text. */
  static final class ShortErrors implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
      CommandLine cmd = ex.getCommandLine();
      PrintWriter err = cmd.getErr();
      err.println("herd: " + ex.getMessage());
      CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
      err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
      return USAGE;
    }
  }

  /** Failures while running a command: a message for operators, the stack trace only with -v. */
  static final class Failures implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
      PrintWriter err = cmd.getErr();
      if (ex instanceof CliFailure f) {
        err.println("herd: " + f.getMessage());
        return f.exitCode();
      }
      if (ex instanceof InterruptedException) {
        err.println("herd: interrupted");
        return INTERRUPTED;
      }
      var db = DbException.needingOperator(ex);
      if (db.isPresent()) {
        // An emptied or damaged herd.db is the operator's to restore: say which file and how, no trace.
        err.println("herd: " + db.get().getMessage());
        return FAILED;
      }
      // An expected refusal (bad spec, resource, template, secret found, engine down...) from any
      // module: its message is complete and located; a stack trace would only hide it.
      Refusal refusal = refusal(ex);
      if (refusal != null) {
        err.println("herd: " + refusal.getMessage());
        if (GlobalOptions.verbose) {
          ex.printStackTrace(err);
        }
        return refusal.environmental() ? ENVIRONMENT : FAILED;
      }
      String what = ex instanceof UncheckedIOException u ? u.getCause().toString() : ex.toString();
      err.println("herd: unexpected error: " + what);
      if (GlobalOptions.verbose) {
        ex.printStackTrace(err);
      } else {
        err.println("herd: run again with -v for details");
      }
      return FAILED;
    }
  }

  /** The first {@link Refusal} in the cause chain, or null (then the failure is a bug). */
  static Refusal refusal(Throwable ex) {
    return Refusal.in(ex);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = HerdCli.class.getResourceAsStream("/herd-version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {
        "herd " + p.getProperty("version", "unknown"),
        "java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
      };
    }
  }
}
