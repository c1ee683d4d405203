package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The training run of the start-up cache runs to its end and leaves nothing behind in the temp dir. */
class StartupTrainingTest {
  @Test
  void runsAndCleansUp() throws Exception {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    List<Path> before = trainingDirs(tmp);
    StartupTraining.main(new String[0]);
    assertThat(trainingDirs(tmp)).containsExactlyInAnyOrderElementsOf(before);
  }

  private static List<Path> trainingDirs(Path tmp) throws Exception {
    try (Stream<Path> files = Files.list(tmp)) {
      return files.filter(p -> p.getFileName().toString().startsWith("herd-training")).toList();
    }
  }
}
