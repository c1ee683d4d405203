package dev.herd.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import dev.herd.common.files.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.LoggerFactory;

/**
 * herd's operator log for long-running commands: every INFO line goes to {@code <state>/herd.log}
 * (one line per meaningful event, fleet/node in the MDC); the terminal shows the controller's
 * event lines plus warnings, or everything with {@code -v}.
 */
final class OperatorLog {
  static final String FILE_NAME = "herd.log";

  private OperatorLog() {}

  static Path toFile(Path stateDir) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Path file = stateDir.resolve(FILE_NAME);
    try {
      // logback would create it with the umask's mode; herd's state files are 0600
      PrivateFiles.openStateDir(stateDir);
      PrivateFiles.newChannel(file, StandardOpenOption.CREATE).close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the operator log " + file, e);
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(ctx);
    encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0}: %msg%replace( [%mdc]){' \\[\\]', ''}%n");
    encoder.start();
    FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setContext(ctx);
    appender.setName("HERD_FILE");
    appender.setFile(file.toString());
    appender.setAppend(true);
    appender.setEncoder(encoder);
    appender.start();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    ctx.getLogger("dev.herd").setLevel(GlobalOptions.verbose ? Level.DEBUG : Level.INFO);
    if (!GlobalOptions.verbose) {
      Appender<ILoggingEvent> console = root.getAppender("STDERR");
      if (console != null) {
        ThresholdFilter warn = new ThresholdFilter();
        warn.setLevel("WARN");
        warn.start();
        console.addFilter(warn);
      }
    }
    return file;
  }
}
