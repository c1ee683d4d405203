package dev.herd.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.control.ControllerEvent;
import java.util.Locale;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Event reasons become a few fixed label values, whatever their text. */
class EventLabelsTest {
  static ControllerEvent event(String kind, String reason) {
    return new ControllerEvent(1, Instant.EPOCH, "web", "web-1", kind.toLowerCase(Locale.ROOT), reason);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      NODE_REPLACED    | web-3 replaced: exited with code 137                               | exited
      NODE_REPLACED    | web-3 replaced: stopped (exited)                                   | exited
      NODE_REPLACED    | web-3 replaced: health check failed 3 times (HTTP 500)             | unhealthy
      NODE_REPLACED    | web-2 replaced: OOM-killed 3 times within 10m (memory limit 64Mi)  | oom
      NODE_REPLACED    | web-1 replaced: web-1-g1 drift (config): env GREETING changed       | drift
      NODE_REPLACED    | web-1 replaced: something new                                      | other
      NODE_RECYCLED    | web-1 recycled: older than max_age 1h                              | max_age
      NODE_VANISHED    | web-1 (gen 2) vanished from the engine                             | vanished
      NODE_QUARANTINED | web-1 quarantined: health check failed                             | quarantined
      NODE_CREATED     | web-1 created                                                      | -
      SCALED           | web scaled to 5                                                    | -
      """)
  void replacementReasons(String kind, String reason, String label) {
    assertThat(EventLabels.replacement(event(kind, reason))).isEqualTo(Optional.ofNullable(label));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      DRIFT_DETECTED | web-1-g1 drift (config): env GREETING changed → replaced | config
      DRIFT_DETECTED | web-1-g1 drift (tamper): exec by hand → reported        | tamper
      DRIFT_DETECTED | drift (foreign): container x uses port 20001             | foreign
      DRIFT_DETECTED | drift (secret-value-in-here): x                         | other
      DRIFT_DETECTED | no kind at all                                          | other
      NODE_REPLACED  | web-1 replaced: drift (config)                          | -
      """)
  void driftKinds(String kind, String reason, String label) {
    assertThat(EventLabels.driftKind(event(kind, reason))).isEqualTo(Optional.ofNullable(label));
  }
}
