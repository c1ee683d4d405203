package dev.herd.bake.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.spec.Role;
import dev.herd.spec.SourcePaths;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image base is a project file like any source: found relative to herd.yaml (not the working
 * directory) and never through a symlink into the state directory or out of the project.
 */
class ImageBaseSourceTest {
  @TempDir Path dir;

  private Role role(String path) throws IOException {
    Path project = Files.createDirectories(dir.resolve("project"));
    Files.writeString(project.resolve("base.tar"), "not really a tar");
    Files.writeString(project.resolve("herd.yaml"), """
        project: {name: imgbase}
        roles:
          web:
            base: {image: {path: base.tar, format: oci-archive}}
        """);
    Spec spec = SpecLoader.loadOrThrow(project.resolve("herd.yaml"));
    Role r = spec.role("web");
    dev.herd.spec.Base.Image img = (dev.herd.spec.Base.Image) r.base();
    return new Role(r.name(), new dev.herd.spec.Base.Image(path, img.format(), img.ref(), img.allowDevices(), img.location()),
        r.packages(), r.vars(), r.resources(), r.run(), r.command(), r.user(), r.workdir(), r.env(), r.writable(), r.health(),
        r.launch(), r.tests(), r.secretScan(), r.limits(), r.reload(), r.rebake(), r.location());
  }

  @Test
  void theImageIsFoundBesideHerdYamlAndNeverInTheStateDirectory() throws IOException {
    List<Path> read = new ArrayList<>();
    Bases bases = new Bases(null, (image, source, rootfs) -> {
      read.add(source);
      return "sha256:" + "0".repeat(64);
    });
    Path project = dir.resolve("project");
    Role ok = role("base.tar");
    bases.prepare(null, ok, Files.createDirectories(dir.resolve("work1")), Optional.empty(), false, new SourcePaths(project, null));
    assertThat(read).containsExactly(project.resolve("base.tar").toRealPath());

    Files.createDirectories(project.resolve(".herd/images"));
    Files.writeString(project.resolve(".herd/images/index.json"), "{}");
    Files.createSymbolicLink(project.resolve("state-link"), project.resolve(".herd/images"));
    Role sneaky = role("state-link");
    assertThatThrownBy(() -> bases.prepare(null, sneaky, Files.createDirectories(dir.resolve("work2")), Optional.empty(), false,
            new SourcePaths(project, null)))
        .isInstanceOf(BaseBuildException.class)
        .hasMessageContaining("herd.yaml:4:")
        .hasMessageContaining("roles.web.base.image.path: source \"state-link\" resolves (through a symlink) into herd's state directory");
    assertThat(read).hasSize(1);
  }
}
