package dev.herd.cli;

import dev.herd.common.Refusal;
import dev.herd.db.DbException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
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
    subcommands = {
      CommandLine.HelpCommand.class,
      ValidateCommand.class,
      SchemaCommand.class,
      BakeCommand.class,
      ImagesCommand.class,
      ImageCommand.class,
      PromoteCommand.class,
      RevokeCommand.class,
      GcCommand.class,
      LoginCommand.class,
      PushCommand.class,
      PullCommand.class,
      UpCommand.class,
      ApplyCommand.class,
      PlanCommand.class,
      StatusCommand.class,
      EventsCommand.class,
      LogsCommand.class,
      ScaleCommand.class,
      RollbackCommand.class,
      RolloutCommand.class,
      DownCommand.class,
      ConfigCommand.class,
      SecretCommand.class,
      FlagCommand.class,
      DoctorCommand.class,
      DriftCommand.class,
      AuditCommand.class,
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

  /** Runs herd in-process; used by main and by tests. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return commandLine(out, err).execute(args);
  }

  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new HerdCli());
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
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof Refusal r) {
        return r;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
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
