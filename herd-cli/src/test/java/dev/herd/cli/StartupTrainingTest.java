package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training run of the start-up cache runs to its end and leaves nothing behind. It trains in
 * a directory of its own: the shared temp dir sees other builds' training runs come and go.
 */
class StartupTrainingTest {
  @Test
  void runsAndCleansUp(@TempDir Path parent) throws Exception {
    StartupTraining.train(parent);
    try (Stream<Path> left = Files.list(parent)) {
      assertThat(left).isEmpty();
    }
  }
}
