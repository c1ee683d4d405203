package dev.herd.bake.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessRunnerTest {
  @Test
  void capturesOutputExitCodeAndEnvironment() {
    ProcessResult result = new ProcessRunner(Map.of("A", "1")).run(List.of("sh", "-c", "echo out $A$B; echo err >&2; exit 3"),
        Map.of("B", "2"), Duration.ofSeconds(10));
    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.stdout()).isEqualTo("out 12\n");
    assertThat(result.stderr()).isEqualTo("err\n");
    assertThat(result.succeeded()).isFalse();
    assertThat(result.tail(1)).isEqualTo("err");
  }

  @Test
  void killsAtTheDeadline() {
    ProcessResult result = new ProcessRunner().run(List.of("sh", "-c", "echo begun; sleep 30"), Map.of(), Duration.ofMillis(300));
    assertThat(result.timedOut()).isTrue();
    assertThat(result.stdout()).isEqualTo("begun\n");
    assertThat(result.took()).isLessThan(Duration.ofSeconds(10));
  }
}
