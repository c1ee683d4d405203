package dev.herd.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * herd-server talks to the controller through its façade (Controller and its own API records): no
 * compiled class of it names a type of the controller's state or drift store, not even through a
 * method signature it calls (docs/architecture.md).
 */
class ControllerBoundaryTest {
  static final List<String> INTERNAL = List.of("dev/herd/control/state/", "dev/herd/control/drift/DriftStore",
      "dev/herd/control/drift/DriftScan");

  @Test
  void noClassOfThisModuleUsesTheControllersInternals() throws IOException {
    Path classes = Path.of("target", "classes");
    assertThat(classes).isDirectory();
    List<String> offenders;
    try (Stream<Path> s = Files.walk(classes)) {
      offenders = s.filter(p -> p.toString().endsWith(".class")).filter(ControllerBoundaryTest::usesInternals)
          .map(p -> classes.relativize(p).toString()).sorted().toList();
    }
    assertThat(offenders).isEmpty();
  }

  private static boolean usesInternals(Path classFile) {
    try {
      // constant pool strings are modified UTF-8; class names are ASCII, so ISO-8859-1 finds them
      String bytes = new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1);
      return INTERNAL.stream().anyMatch(bytes::contains);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
