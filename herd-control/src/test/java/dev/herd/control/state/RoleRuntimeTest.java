package dev.herd.control.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RoleRuntimeTest {
  private static RoleRuntime runtime(List<String> command, Map<String, String> env) {
    return new RoleRuntime("web", command, env, true, List.of(), Optional.empty(), 0, 0);
  }

  @Test
  void theCommandGetsTheNodesPortAndLoopbackListenAddress() {
    RoleRuntime rt = runtime(List.of("/bin/busybox", "httpd", "-p", "${HOST}:${PORT}", "--url=http://${HOST}:${PORT}/"), Map.of());
    assertThat(rt.commandFor(18081)).containsExactly("/bin/busybox", "httpd", "-p", "127.0.0.1:18081",
        "--url=http://127.0.0.1:18081/");
  }

  @Test
  void configMustNotSetTheListenAddress() {
    assertThatThrownBy(() -> runtime(List.of("x"), Map.of("HOST", "0.0.0.0")))
        .hasMessageContaining("config must not set HOST");
  }
}
