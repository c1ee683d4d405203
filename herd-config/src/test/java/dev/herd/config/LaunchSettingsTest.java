package dev.herd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.spec.Role;
import dev.herd.spec.Spec;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchSettingsTest {
  @TempDir Path dir;
  private final LaunchSettings launch = new LaunchSettings();

  private static NodeFacts node(OptionalLong memoryMb) {
    return new NodeFacts("web-3", 3, 18082, "web", memoryMb, OptionalDouble.of(0.5));
  }

  @Test
  void arithmeticOverNodeFacts() {
    Role web = TestSpecs.spec(dir).role("web");
    Map<String, String> out = launch.evaluate(web, node(OptionalLong.of(128)), Map.of());
    assertThat(out).containsExactly(Map.entry("HEAP_MB", "96"), Map.entry("NODE_ID", "web-3-3"));
  }

  @Test
  void factsComeFromTheFleet() {
    Spec spec = TestSpecs.spec(dir);
    NodeFacts f = NodeFacts.of(spec.fleet("web"), 2, 18081);
    assertThat(f.name()).isEqualTo("web-2");
    assertThat(f.fleet()).isEqualTo("web");
    assertThat(f.port()).isEqualTo(18081);
  }

  @Test
  void undefinedVariableNamesTheSetting() {
    Role web = TestSpecs.spec(dir).role("web");
    assertThatThrownBy(() -> launch.evaluate(web, node(OptionalLong.empty()), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("role web, node web-3")
        .hasMessageContaining("launch setting HEAP_MB")
        .hasMessageContaining("node.memory_mb is undefined (fleet web has no memory limit)");
  }

  @Test
  void configKeysAreAvailableAsEnv() throws Exception {
    Role role = withLaunch(Map.of("URL", "http://{{ env.DB_HOST }}:{{ node.port + 1 }}/", "LISTEN", "{{ node.host }}:{{ node.port }}", "WORKERS", "{{ (env.THREADS | int) * 2 }}",
        "HALF_CPU", "{{ node.cpus * 2 }}"));
    Map<String, String> out = launch.evaluate(role, node(OptionalLong.of(256)), Map.of("DB_HOST", "db1", "THREADS", "4"));
    assertThat(out).containsEntry("URL", "http://db1:18083/").containsEntry("LISTEN", "127.0.0.1:18082").containsEntry("WORKERS", "8").containsEntry("HALF_CPU", "1.0");
    assertThatThrownBy(() -> launch.evaluate(role, node(OptionalLong.of(256)), Map.of("THREADS", "4")))
        .hasMessageContaining("launch setting URL: env.DB_HOST is undefined (no config key DB_HOST in this environment)");
  }

  @Test
  void syntaxErrorsNameTheSetting() {
    Role role = withLaunch(Map.of("BROKEN", "{{ node.port + }}"));
    assertThatThrownBy(() -> launch.evaluate(role, node(OptionalLong.of(256)), Map.of()))
        .hasMessageContaining("launch setting BROKEN").hasMessageContaining("syntax error");
  }

  /** Issue 18: a launch value cost ~40 s of controller CPU per node start; now a located error, fast. */
  @Test
  void templateBombsInLaunchValuesFailFastAndLocated() {
    Role role = withLaunch(Map.of(
        "LOOPS", "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}{% endfor %}{% endfor %}{% endfor %}",
        "WIDE", "{{ 'a'|center(2000000000) }}",
        "RANGE", "x\n{{ range(100000000)|length }}",
        "CLASSPATH", "{% include 'logback.xml' %}"));
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> launch.evaluate(role, node(OptionalLong.of(256)), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("launch setting LOOPS: line 1: more than 10000 loop iterations")
        .hasMessageContaining("launch setting WIDE: line 1: center() would be 2000000000 characters")
        .hasMessageContaining("launch setting RANGE: line 2: range() of 100000000 numbers")
        .hasMessageContaining("launch setting CLASSPATH: line 1: cannot include \"logback.xml\"");
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(5);
  }

  private Role withLaunch(Map<String, String> settings) {
    Role r = TestSpecs.spec(dir).role("web");
    return new Role(r.name(), r.base(), r.packages(), r.vars(), r.resources(), r.run(), r.command(), r.user(), r.workdir(),
        r.env(), r.writable(), r.health(), settings, r.tests(), r.secretScan(), r.limits(), r.reload(), r.rebake(), r.location());
  }
}
