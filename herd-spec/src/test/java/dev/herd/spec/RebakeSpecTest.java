package dev.herd.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RebakeSpecTest {
  static Spec load(String yaml) {
    return SpecLoader.load(Path.of("/tmp/herd-test/herd.yaml"), yaml.getBytes(StandardCharsets.UTF_8)).orThrow();
  }

  @Test
  void readsTriggersAndDefaultsEveryToAWeek() {
    Spec spec = load("""
        project: {name: demo}
        roles:
          web:
            base: {debian: {packages: [busybox-static]}}
            command: [/bin/busybox]
            rebake: {on: [security_updates, base_update]}
          api:
            base: {debian: {packages: [busybox-static]}}
            command: [/bin/busybox]
            rebake: {on: [security_updates], every: 12h}
          plain:
            base: {debian: {packages: [busybox-static]}}
            command: [/bin/busybox]
        """);
    Rebake web = spec.role("web").rebake().orElseThrow();
    assertThat(web.on()).containsExactlyInAnyOrder(Rebake.Trigger.SECURITY_UPDATES, Rebake.Trigger.BASE_UPDATE);
    assertThat(web.every()).isEqualTo(Duration.ofDays(7));
    assertThat(web.location().line()).isEqualTo(6);
    assertThat(spec.role("api").rebake().orElseThrow().every()).isEqualTo(Duration.ofHours(12));
    assertThat(spec.role("plain").rebake()).isEmpty();
  }
}
