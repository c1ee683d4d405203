package dev.herd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.engine.ImageSource.Format;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EngineCapabilitiesTest {
  private static final String DIGEST = "sha256:" + "ab".repeat(32);

  @ParameterizedTest(name = "{0} API {1} loads {2}")
  @CsvSource({
      "Docker Engine, 1.41, DOCKER_ARCHIVE",
      "Docker Engine, 1.43, DOCKER_ARCHIVE",
      "Docker Engine, 1.44, OCI_ARCHIVE DOCKER_ARCHIVE",
      "Docker Engine, 1.47, OCI_ARCHIVE DOCKER_ARCHIVE",
      "Docker Engine, 2.0, OCI_ARCHIVE DOCKER_ARCHIVE",
      "Docker Engine, ?, DOCKER_ARCHIVE",
      "Podman Engine, 1.41, OCI_ARCHIVE DOCKER_ARCHIVE",
      "Podman Engine, 1.40, OCI_ARCHIVE DOCKER_ARCHIVE",
  })
  void whatEachEngineLoadsBestFirst(String product, String api, String formats) {
    List<Format> expected = java.util.Arrays.stream(formats.split(" ")).map(Format::valueOf).toList();
    assertThat(EngineCapabilities.of(product, api).loads()).containsExactlyElementsOf(expected);
  }

  @ParameterizedTest(name = "{0} API {1}, offered {2} → {3}")
  @CsvSource({
      "Docker Engine, 1.41, OCI_ARCHIVE DOCKER_ARCHIVE, DOCKER_ARCHIVE",
      "Docker Engine, 1.41, OCI_ARCHIVE, ",
      "Docker Engine, 1.44, OCI_ARCHIVE DOCKER_ARCHIVE, OCI_ARCHIVE",
      "Docker Engine, 1.44, DOCKER_ARCHIVE, DOCKER_ARCHIVE",
      "Podman Engine, 1.41, OCI_ARCHIVE DOCKER_ARCHIVE, OCI_ARCHIVE",
      "Podman Engine, 1.41, DOCKER_ARCHIVE, DOCKER_ARCHIVE",
  })
  void theFormatHerdSendsIsTheEnginesBestOfWhatTheImageOffers(String product, String api, String offered, String sent) {
    Map<Format, ImageSource.ArchiveWriter> writers = new java.util.EnumMap<>(Format.class);
    for (String f : offered.split(" ")) {
      writers.put(Format.valueOf(f), out -> { });
    }
    ImageSource source = new ImageSource(DIGEST, null, writers);
    assertThat(EngineCapabilities.of(product, api).formatFor(source))
        .isEqualTo(Optional.ofNullable(sent).map(Format::valueOf));
  }

  @ParameterizedTest(name = "{0} API {1}: {2} gaps")
  @CsvSource({
      "Docker Engine, 1.41, 1",
      "Docker Engine, 1.44, 1",
      "Podman Engine, 1.41, 0",
  })
  void dockerKeepsOnlyItsLastEventsInMemory(String product, String api, int gaps) {
    EngineCapabilities c = EngineCapabilities.of(product, api);
    assertThat(c.gaps()).hasSize(gaps);
    assertThat(c.durableEvents()).isEqualTo(gaps == 0);
    assertThat(c.tmpfsOnReadOnlyRoot()).isEqualTo(product.startsWith("Podman"));
  }
}
