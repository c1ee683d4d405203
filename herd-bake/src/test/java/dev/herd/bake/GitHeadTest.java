package dev.herd.bake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An image's lineage commit, read from the repository's files the way git resolves HEAD. */
class GitHeadTest {
  static final String A = "a".repeat(40);
  static final String B = "b".repeat(40);
  @TempDir Path tmp;

  Path repo(String head) throws Exception {
    Path git = Files.createDirectories(tmp.resolve("repo/.git/refs/heads"));
    Files.writeString(tmp.resolve("repo/.git/HEAD"), head + "\n");
    return Files.createDirectories(tmp.resolve("repo/examples/web"));
  }

  @Test
  void looseRefPackedRefDetachedUnbornAndNoRepository() throws Exception {
    Path dir = repo("ref: refs/heads/main");
    assertThat(GitHead.commit(dir)).as("unborn branch").isEmpty();
    Files.writeString(tmp.resolve("repo/.git/packed-refs"), "# pack-refs with: peeled fully-peeled sorted\n" + B
        + " refs/heads/other\n" + A + " refs/heads/main\n");
    assertThat(GitHead.commit(dir)).contains(A);
    Files.writeString(tmp.resolve("repo/.git/refs/heads/main"), B + "\n");
    assertThat(GitHead.commit(dir)).as("a loose ref wins over packed-refs").contains(B);
    Files.writeString(tmp.resolve("repo/.git/HEAD"), A + "\n");
    assertThat(GitHead.commit(dir)).as("detached").contains(A);
    assertThat(GitHead.commit(Files.createDirectories(tmp.resolve("elsewhere")))).isEmpty();
  }

  @Test
  void aLinkedWorktreeReadsItsHeadAndTheCommonRefs() throws Exception {
    repo("ref: refs/heads/main");
    Files.writeString(tmp.resolve("repo/.git/refs/heads/feature"), A + "\n");
    Path wtGit = Files.createDirectories(tmp.resolve("repo/.git/worktrees/wt"));
    Files.writeString(wtGit.resolve("HEAD"), "ref: refs/heads/feature\n");
    Files.writeString(wtGit.resolve("commondir"), "../..\n");
    Path wt = Files.createDirectories(tmp.resolve("wt/examples"));
    Files.writeString(tmp.resolve("wt/.git"), "gitdir: " + wtGit + "\n");
    assertThat(GitHead.commit(wt)).contains(A);
  }

  @Test
  void agreesWithGitOnThisRepository() throws Exception {
    Path here = Path.of("").toAbsolutePath();
    Process p = new ProcessBuilder("git", "-C", here.toString(), "rev-parse", "HEAD").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    Optional<String> expected = p.exitValue() == 0 && out.matches("[0-9a-f]{40}") ? Optional.of(out) : Optional.empty();
    assertThat(GitHead.commit(here)).isEqualTo(expected);
  }
}
