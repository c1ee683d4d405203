package dev.herd.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 18: {@code symlink: /www} with {@code to: /srv/} validated, then every bake failed its own
 * implied test (the filesystem stores /srv). A link target is normalized at validation the way it
 * will be stored, or refused at its location.
 */
class LinkTargetTest {
  private static SpecResult load(String to) {
    String yaml = "project: {name: demo}\nroles:\n  web:\n    base: {scratch: {}}\n    command: [/app]\n    resources:\n"
        + "      - symlink: /srv/www/link\n        to: '" + to + "'\n";
    return SpecLoader.load(Path.of("herd.yaml"), yaml.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "/srv/, /srv",
      "/srv//www/, /srv/www",
      "/srv/./www/., /srv/www",
      "/, /",
      "//, /",
      "./config.json, config.json",
      "a//b/, a/b",
      "../lib/, ../lib",
      "../../etc/herd/config.json, ../../etc/herd/config.json",
      "/etc/herd/config.json, /etc/herd/config.json"})
  void targetsAreStoredTheWayTheFilesystemStoresThem(String written, String stored) {
    SpecResult r = load(written);
    assertThat(SpecLoader.render(r)).isEmpty();
    Resource.Symlink link = (Resource.Symlink) ((SpecResult.Loaded) r).spec().role("web").resources().getFirst();
    assertThat(link.to()).isEqualTo(stored);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      ".|herd.yaml:8:13: roles.web.resources[0].to: a link to its own directory (\".\") is a loop; point it at a path",
      "./|herd.yaml:8:13: roles.web.resources[0].to: a link to its own directory (\"./\") is a loop; point it at a path",
      "../../../etc/|herd.yaml:8:13: roles.web.resources[0].to: the link leads outside the image: \"../../../etc\""})
  void badTargetsAreLocatedErrors(String written, String error) {
    assertThat(SpecLoader.render(load(written))).containsExactly(error);
  }
}
