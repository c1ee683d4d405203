package dev.herd.server;

import dev.herd.common.files.PrivateFiles;
import dev.herd.server.api.ApiFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One controller per state directory: an OS lock on {@code <stateDir>/controller.lock}, released
 * by the OS when the process dies however it dies (so a crash never leaves a lock behind).
 */
public final class ControllerLock implements AutoCloseable {
  public static final String FILE = "controller.lock";
  private final Path stateDir;
  private final FileChannel channel;
  private final FileLock lock;

  private ControllerLock(Path stateDir, FileChannel channel, FileLock lock) {
    this.stateDir = stateDir;
    this.channel = channel;
    this.lock = lock;
  }

  public Path stateDir() {
    return stateDir;
  }

  /** Takes the lock or throws {@link AlreadyRunning} naming the controller that holds it. */
  public static ControllerLock acquire(Path dir) {
    Path stateDir = dir.toAbsolutePath().normalize();
    Path file = stateDir.resolve(FILE);
    FileChannel ch = null;
    try {
      PrivateFiles.openStateDir(stateDir);
      ch = PrivateFiles.newChannel(file, StandardOpenOption.CREATE);
      FileLock l;
      try {
        l = ch.tryLock();
      } catch (OverlappingFileLockException sameProcess) {
        l = null;
      }
      if (l == null) {
        ch.close();
        throw new AlreadyRunning(stateDir, ApiFilesOrEmpty.read(stateDir));
      }
      return new ControllerLock(stateDir, ch, l);
    } catch (IOException e) {
      try {
        if (ch != null) {
          ch.close();
        }
      } catch (IOException ignored) {
        // the original failure is the one to report
      }
      throw new UncheckedIOException("cannot lock " + file, e);
    }
  }

  @Override
  public void close() {
    if (!channel.isOpen()) {
      return;
    }
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Another controller holds the state directory. */
  public static final class AlreadyRunning extends RuntimeException {
    AlreadyRunning(Path stateDir, Optional<ApiFiles.Info> info) {
      super("a herd controller already runs for " + stateDir
          + info.map(i -> " (pid " + i.pid() + ", API at " + i.url() + ")").orElse("")
          + "; stop it with `herd down` (or Ctrl-C where it runs) first");
    }
  }

  private static final class ApiFilesOrEmpty {
    static Optional<ApiFiles.Info> read(Path stateDir) {
      try {
        return ApiFiles.readInfo(stateDir);
      } catch (IllegalStateException e) {
        return Optional.empty();
      }
    }
  }
}
