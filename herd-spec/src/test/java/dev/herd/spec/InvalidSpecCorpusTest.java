package dev.herd.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every malformed spec under test resources {@code invalid/NN-name.yaml} must produce exactly
 * the lines in {@code NN-name.expected}: same messages, same line and column, in file order,
 * and never an exception.
 */
class InvalidSpecCorpusTest {
  static Path corpus() throws URISyntaxException {
    return Path.of(InvalidSpecCorpusTest.class.getResource("/invalid").toURI());
  }

  static Stream<String> cases() throws IOException, URISyntaxException {
    try (Stream<Path> files = Files.list(corpus())) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @Test
  void theCorpusCoversAtLeastFortyFiveSpecs() throws Exception {
    assertThat(cases().count()).isGreaterThanOrEqualTo(45);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @Timeout(5)
  void reportsExactlyTheExpectedErrors(String name) throws Exception {
    Path yaml = corpus().resolve(name);
    List<String> expected = Files.readAllLines(corpus().resolve(name.replace(".yaml", ".expected")), StandardCharsets.UTF_8);
    byte[] bytes = Files.readAllBytes(yaml);

    // Loaded under the name herd.yaml, beside the corpus's files/ directory, as users see it.
    AtomicReference<SpecResult> result = new AtomicReference<>();
    assertThatCode(() -> result.set(SpecLoader.load(corpus().resolve("herd.yaml"), bytes))).doesNotThrowAnyException();

    assertThat(result.get()).isInstanceOf(SpecResult.Invalid.class);
    List<String> rendered = SpecLoader.render(result.get());
    assertThat(rendered).containsExactlyElementsOf(expected);
    assertThat(rendered)
        .allSatisfy(line -> {
          assertThat(line).matches("herd\\.yaml:\\d+:\\d+: .+");
          assertThat(line).doesNotContain("Exception", "\tat ", "herd bug", "please report");
        });
  }
}
