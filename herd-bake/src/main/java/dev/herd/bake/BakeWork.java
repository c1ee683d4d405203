package dev.herd.bake;

import dev.herd.bake.base.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bake's scratch directory, {@code <stateDir>/bake/work-<pid>-<role>}. A bake removes its own
 * when it ends; one killed mid-bake cannot, so each new bake first removes the work directories
 * whose process is gone. The pid in the name is how a live bake (in this or another process)
 * keeps its directory.
 */
final class BakeWork {
  private static final Pattern WORK = Pattern.compile("work-(\\d+)-.+");

  private BakeWork() {}

  static Path of(Path stateDir, String role) {
    return stateDir.resolve("bake").resolve("work-" + ProcessHandle.current().pid() + "-" + role);
  }

  /** Removes the work directories under {@code bakeDir} whose bake process no longer runs; returns them. */
  static List<Path> sweep(Path bakeDir) {
    List<Path> removed = new ArrayList<>();
    if (!Files.isDirectory(bakeDir)) {
      return removed;
    }
    List<Path> entries;
    try (var list = Files.list(bakeDir)) {
      entries = list.toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + bakeDir, e);
    }
    for (Path p : entries) {
      Matcher m = WORK.matcher(p.getFileName().toString());
      if (!m.matches() || alive(m.group(1))) {
        continue;
      }
      Trees.deleteRecursively(p);
      removed.add(p);
    }
    return removed;
  }

  private static boolean alive(String pid) {
    try {
      return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException e) {
      return false; // not a pid any process could have
    }
  }
}
