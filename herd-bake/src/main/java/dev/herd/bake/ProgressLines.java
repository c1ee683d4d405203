package dev.herd.bake;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The lines an operator sees while a role bakes: one per finished stage, each changed resource,
 * and with {@code verbose} each start and every detail. The CLI prints them on stderr; the
 * controller streams the same lines to a client that asked it to bake.
 */
public final class ProgressLines implements BakeListener {
  private final String role;
  private final boolean verbose;
  private final Consumer<String> sink;

  public ProgressLines(String role, boolean verbose, Consumer<String> sink) {
    this.role = role;
    this.verbose = verbose;
    this.sink = sink;
  }

  @Override
  public void started(Stage stage, String detail) {
    if (verbose) {
      sink.accept(String.format("%s: %-9s %s", role, stage.label(), detail));
    }
  }

  @Override
  public void finished(Stage stage, String summary, Duration took) {
    sink.accept(String.format("%s: %-9s %s (%s)", role, stage.label(), summary, seconds(took)));
  }

  @Override
  public void detail(Stage stage, String line) {
    if (verbose || stage == Stage.RESOURCES) {
      sink.accept(String.format("%s: %-9s   %s", role, "", line));
    }
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.2fs", d.toNanos() / 1e9);
  }
}
