package dev.herd.bake;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The commit HEAD names in the git work tree that holds a directory, for an image's lineage.
 * Read from the repository's files (HEAD, the ref, packed-refs; a worktree's {@code gitdir:} and
 * {@code commondir}) rather than by running {@code git rev-parse HEAD}: a process per bake was
 * a tenth of a no-op rebake. Empty outside a repository, on an unborn branch, or when unreadable.
 */
public final class GitHead {
  private GitHead() {}

  public static Optional<String> commit(Path dir) {
    try {
      for (Path d = dir.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
        Path dotGit = d.resolve(".git");
        if (Files.isDirectory(dotGit)) {
          return fromGitDir(dotGit);
        }
        if (Files.isRegularFile(dotGit)) {
          // a linked worktree or submodule: "gitdir: PATH", relative to where the file is
          String line = read(dotGit);
          return line.startsWith("gitdir:") ? fromGitDir(d.resolve(line.substring(7).trim()).normalize()) : Optional.empty();
        }
      }
      return Optional.empty();
    } catch (IOException | RuntimeException unreadable) {
      return Optional.empty();
    }
  }

  private static Optional<String> fromGitDir(Path gitDir) throws IOException {
    String head = read(gitDir.resolve("HEAD"));
    if (isCommit(head)) {
      return Optional.of(head); // detached
    }
    if (!head.startsWith("ref:")) {
      return Optional.empty();
    }
    String ref = head.substring(4).trim();
    Path common = gitDir;
    if (Files.isRegularFile(gitDir.resolve("commondir"))) {
      common = gitDir.resolve(read(gitDir.resolve("commondir"))).normalize();
    }
    for (Path base : List.of(gitDir, common)) {
      Path loose = base.resolve(ref);
      if (Files.isRegularFile(loose)) {
        String value = read(loose);
        return isCommit(value) ? Optional.of(value) : Optional.empty();
      }
    }
    Path packed = common.resolve("packed-refs");
    if (Files.isRegularFile(packed)) {
      for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
        if (line.length() > 41 && line.charAt(40) == ' ' && line.substring(41).equals(ref) && isCommit(line.substring(0, 40))) {
          return Optional.of(line.substring(0, 40));
        }
      }
    }
    return Optional.empty(); // a branch with no commit yet
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8).trim();
  }

  private static boolean isCommit(String s) {
    return s.matches("[0-9a-f]{40}");
  }
}
