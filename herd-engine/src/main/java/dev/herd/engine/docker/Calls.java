package dev.herd.engine.docker;

import com.github.dockerjava.api.exception.DockerException;
import dev.herd.engine.EngineException;
import dev.herd.engine.EngineFailure;
import dev.herd.engine.EngineUnreachable;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps docker-java failures to herd's typed errors; retries only what a retry can fix. */
final class Calls {
  private static final Logger log = LoggerFactory.getLogger(Calls.class);
  private static final Pattern MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final int ATTEMPTS = 4;
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

  private Calls() {}

  /**
   * Runs {@code call}, retrying with exponential backoff while the engine is unreachable (the
   * request never arrived, so repeating it is safe). Conflicts and refusals are not retried.
   */
  static <T> T retrying(String what, Supplier<T> call) {
    Duration backoff = FIRST_BACKOFF;
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (RuntimeException e) {
        EngineException mapped = map(what, e);
        if (!(mapped instanceof EngineUnreachable) || attempt == ATTEMPTS) {
          throw mapped;
        }
        log.debug("{}: engine unreachable (attempt {}), retrying in {} ms", what, attempt, backoff.toMillis());
        sleep(backoff);
        backoff = backoff.multipliedBy(2);
      }
    }
  }

  static EngineException map(String what, RuntimeException e) {
    if (e instanceof EngineException ee) {
      return ee;
    }
    if (e instanceof DockerException de) {
      return new EngineFailure(what + ": engine answered " + de.getHttpStatus() + ": " + engineMessage(de),
          de.getHttpStatus(), de);
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException io) {
        return new EngineUnreachable(what + ": engine unreachable: " + io, e);
      }
    }
    return new EngineFailure(what + ": " + e, 0, e);
  }

  /** The engine's own words from a docker-java exception ("Status 409: {"message":"..."}"). */
  static String engineMessage(RuntimeException e) {
    String m = String.valueOf(e.getMessage());
    Matcher matcher = MESSAGE.matcher(m);
    return matcher.find() ? matcher.group(1).replace("\\\"", "\"") : m.strip();
  }

  static int status(RuntimeException e) {
    return e instanceof DockerException de ? de.getHttpStatus() : 0;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new EngineUnreachable("interrupted while waiting to retry", ie);
    }
  }
}
