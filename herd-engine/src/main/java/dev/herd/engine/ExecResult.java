package dev.herd.engine;

/**
 * How a command run in a node ended.
 *
 * @param stderr the end of what it wrote to stderr (bounded: for a message, not for data)
 */
public record ExecResult(int exitCode, String stderr) {
  /** At most this much of stderr is kept. */
  public static final int MAX_STDERR = 4096;

  public ExecResult {
    stderr = stderr == null ? "" : stderr.length() > MAX_STDERR ? stderr.substring(stderr.length() - MAX_STDERR) : stderr;
  }

  public boolean ok() {
    return exitCode == 0;
  }
}
