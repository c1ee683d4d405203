package dev.herd.bake.base;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.spec.SourcePaths;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BasesTest {
  @TempDir Path tmp;

  @Test
  void anImageBasesPathIsRelativeToHerdYamlNotToTheWorkingDirectory() throws IOException {
    Path project = tmp.resolve("project");
    Files.createDirectories(project.resolve("images"));
    Files.write(project.resolve("images/base.tar"), new byte[] {0});
    Files.writeString(project.resolve("herd.yaml"), """
        project: {name: shop}
        roles:
          web:
            base:
              image: {path: images/base.tar, format: oci-archive}
        """);
    Spec spec = SpecLoader.load(project.resolve("herd.yaml"), Files.readAllBytes(project.resolve("herd.yaml"))).orThrow();
    AtomicReference<Path> asked = new AtomicReference<>();
    Bases bases = new Bases(null, (image, source, rootfs) -> {
      asked.set(source);
      return "sha256:" + "b".repeat(64);
    });
    bases.prepare(spec, spec.roles().get("web"), tmp.resolve("work"), Optional.empty(), false,
        new SourcePaths(project, project.resolve(".herd")));
    assertThat(asked.get()).isEqualTo(project.resolve("images/base.tar"));
    assertThat(Path.of("").toAbsolutePath()).isNotEqualTo(project); // the test's own working directory is elsewhere
  }
}
