package dev.herd.bake.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.spec.Location;
import dev.herd.spec.Resource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crafted attacks on the staging tree: each must be refused and touch nothing outside. */
class PathConfinementTest {
  @TempDir Path base;
  Path rootDir;
  Path project;
  Path outside;
  ImageRoot root;
  Applier applier;
  final Res res = new Res();

  @BeforeEach
  void setUp() throws IOException {
    rootDir = Files.createDirectories(base.resolve("root"));
    project = Files.createDirectories(base.resolve("project"));
    outside = Files.writeString(base.resolve("outside.txt"), "host file");
    Files.createDirectories(rootDir.resolve("srv"));
    Files.createDirectories(rootDir.resolve("etc"));
    root = ImageRoot.at(rootDir);
    applier = new Applier(root, new TreeMetadata(),
        new ApplyContext(project, TemplateVars.of(Map.of(), "web", "1", Instant.EPOCH), Instant.EPOCH));
  }

  private void assertOutsideUntouched() throws IOException {
    assertThat(Files.readString(outside)).isEqualTo("host file");
    try (var s = Files.list(base)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("root", "project", "outside.txt");
    }
  }

  @Test
  void dotDotAboveRootIsRefusedWithLocationAndKeyPath() throws IOException {
    Resource.File f = new Resource.File("/srv/../../etc", Optional.of("x"), Optional.empty(), "0644", "root", "root",
        new Location(Path.of("herd.yaml"), 14, 9), "roles.web.resources[3]");
    assertThatThrownBy(() -> applier.apply(List.of(f)))
        .isInstanceOf(TreeException.class)
        .hasMessage("herd.yaml:14:9: roles.web.resources[3]: path \"/srv/../../etc\" escapes the image root");
    assertOutsideUntouched();
  }

  @Test
  void relativeAndNulPathsAreRefused() {
    assertThatThrownBy(() -> applier.apply(List.of(res.file("../outside.txt", "x"))))
        .hasMessageContaining("must be absolute inside the image");
    assertThatThrownBy(() -> applier.apply(List.of(res.file("/etc/a\0b", "x"))))
        .hasMessageContaining("NUL byte");
  }

  @Test
  void relativeSymlinkInParentThatClimbsOutIsRefused() throws IOException {
    Files.createSymbolicLink(rootDir.resolve("srv/up"), Path.of("../.."));
    assertThatThrownBy(() -> applier.apply(List.of(res.file("/srv/up/outside.txt", "pwned"))))
        .isInstanceOf(TreeException.class)
        .hasMessageContaining("escapes the image root through symlink /srv/up -> ../..");
    assertOutsideUntouched();
  }

  @Test
  void absoluteSymlinkTargetIsInterpretedInsideTheImageLikeChroot() throws IOException {
    // A link to the host path of the outside file: inside the image this names /<base>/outside.txt.
    Files.createSymbolicLink(rootDir.resolve("srv/abs"), outside);
    applier.apply(List.of(res.file("/srv/abs", "inside")));
    assertOutsideUntouched();
    Path landed = rootDir.resolve(outside.toString().substring(1));
    assertThat(Files.readString(landed)).isEqualTo("inside");
  }

  @Test
  void writingThroughAFinalSymlinkThatPointsOutsideIsRefused() throws IOException {
    Files.createSymbolicLink(rootDir.resolve("etc/motd"), Path.of("../../outside.txt"));
    assertThatThrownBy(() -> applier.apply(List.of(res.file("/etc/motd", "pwned"))))
        .hasMessageContaining("escapes the image root");
    assertOutsideUntouched();
    assertThat(Files.isSymbolicLink(rootDir.resolve("etc/motd"))).isTrue();
  }

  @Test
  void chainOfSymlinksThatEndsOutsideIsRefused() throws IOException {
    Files.createSymbolicLink(rootDir.resolve("srv/a"), Path.of("b"));
    Files.createSymbolicLink(rootDir.resolve("srv/b"), Path.of("/etc/c"));
    Files.createSymbolicLink(rootDir.resolve("etc/c"), Path.of("../../.."));
    assertThatThrownBy(() -> applier.apply(List.of(res.dir("/srv/a/x", "0755", "root", "root"))))
        .hasMessageContaining("escapes the image root through symlink /etc/c -> ../../..");
    assertOutsideUntouched();
  }

  @Test
  void symlinkLoopIsRefused() throws IOException {
    Files.createSymbolicLink(rootDir.resolve("srv/loop1"), Path.of("loop2"));
    Files.createSymbolicLink(rootDir.resolve("srv/loop2"), Path.of("/srv/loop1"));
    assertThatThrownBy(() -> applier.apply(List.of(res.file("/srv/loop1/x", "x"))))
        .hasMessageContaining("too many levels of symbolic links");
  }

  @Test
  void symlinkResourceLeadingOutsideIsRefusedAndNotCreated() {
    assertThatThrownBy(() -> applier.apply(List.of(res.link("/srv/www/host", "../../../../etc"))))
        .hasMessageContaining("symlink /srv/www/host -> ../../../../etc leads outside the image");
    assertThat(rootDir.resolve("srv/www")).doesNotExist();
    assertThatThrownBy(() -> applier.apply(List.of(res.link("/srv/h", "/../etc"))))
        .hasMessageContaining("leads outside the image");
  }

  @Test
  void absentThroughAnEscapingSymlinkDeletesNothingOutside() throws IOException {
    Files.createSymbolicLink(rootDir.resolve("srv/up"), Path.of("../../"));
    assertThatThrownBy(() -> applier.apply(List.of(res.absent("/srv/up/outside.txt"))))
        .hasMessageContaining("escapes the image root");
    assertOutsideUntouched();
  }

  @Test
  void absentOnASymlinkRemovesTheLinkNotItsTarget() throws IOException {
    Files.createDirectories(rootDir.resolve("var/data"));
    Files.writeString(rootDir.resolve("var/data/keep"), "keep");
    Files.createSymbolicLink(rootDir.resolve("srv/data"), Path.of("/var/data"));
    ChangeReport r = applier.apply(List.of(res.absent("/srv/data")));
    assertThat(r.changes().getFirst().reason()).isEqualTo("symlink");
    assertThat(rootDir.resolve("srv/data")).doesNotExist();
    assertThat(rootDir.resolve("var/data/keep")).hasContent("keep");
  }

  @Test
  void hardLinkToAHostFileIsReplacedNotWrittenThrough() throws IOException {
    Files.createLink(rootDir.resolve("etc/hosts"), outside);
    ChangeReport r = applier.apply(List.of(res.file("/etc/hosts", "127.0.0.1 localhost\n")));
    assertThat(r.changes().getFirst().kind()).isEqualTo(Change.Kind.UPDATED);
    assertThat(rootDir.resolve("etc/hosts")).hasContent("127.0.0.1 localhost\n");
    assertOutsideUntouched();
  }

  @Test
  void sourceOutsideTheProjectIsRefusedEvenThroughASymlink() throws IOException {
    assertThatThrownBy(() -> applier.apply(List.of(res.source("/etc/x", "../outside.txt"))))
        .hasMessageContaining("is outside the project directory");
    assertThatThrownBy(() -> applier.apply(List.of(res.source("/etc/x", outside.toString()))))
        .hasMessageContaining("must be relative to the project directory");
    Files.createSymbolicLink(project.resolve("sneaky"), outside);
    assertThatThrownBy(() -> applier.apply(List.of(res.source("/etc/x", "sneaky"))))
        .hasMessageContaining("resolves (through a symlink) outside the project directory");
    assertThat(rootDir.resolve("etc/x")).doesNotExist();
  }

  @Test
  void templateIncludeCannotReadHostFiles() throws IOException {
    Files.writeString(project.resolve("t.j2"), "a\n{% include '" + outside + "' %}\n");
    assertThatThrownBy(() -> applier.apply(List.of(res.template("/etc/t", "t.j2"))))
        .hasMessageContaining("must be relative to the project directory");
    Files.writeString(project.resolve("u.j2"), "{% include '../outside.txt' %}");
    assertThatThrownBy(() -> applier.apply(List.of(res.template("/etc/u", "u.j2"))))
        .hasMessageContaining("outside the project directory");
    assertThat(rootDir.resolve("etc/t")).doesNotExist();
  }

  /** Issue 18: {@code {% include '.herd/keys/secrets.json' %}} baked the secret store's keyset into an image. */
  @Test
  void nothingUnderTheStateDirectoryCanBeReadDirectlyOrThroughASymlink() throws IOException {
    Path keys = Files.createDirectories(project.resolve(".herd/keys"));
    Files.writeString(keys.resolve("secrets.json"), "{\"primaryKeyId\": 1, \"key\": []}");
    Files.writeString(project.resolve("k.j2"), "line 1\n{% include '.herd/keys/secrets.json' %}\n");
    Resource.Template t = new Resource.Template("/etc/k", "k.j2", "0644", "root", "root",
        new Location(Path.of("herd.yaml"), 21, 9), "roles.web.resources[4]");
    assertThatThrownBy(() -> applier.apply(List.of(t)))
        .isInstanceOf(TreeException.class)
        .hasMessage("herd.yaml:21:9: roles.web.resources[4]: template k.j2:2: source \".herd/keys/secrets.json\" is in herd's state directory (.herd);"
            + " templates and sources may not read herd's own keys, database or images");
    assertThatThrownBy(() -> applier.apply(List.of(res.source("/etc/x", ".herd/keys/secrets.json"))))
        .hasMessageContaining("is in herd's state directory (.herd)");
    assertThatThrownBy(() -> applier.apply(List.of(res.source("/etc/x", "templates/../.herd/keys/../keys/secrets.json"))))
        .hasMessageContaining("is in herd's state directory (.herd)");
    Files.createSymbolicLink(project.resolve("innocent.json"), Path.of(".herd/keys/secrets.json"));
    assertThatThrownBy(() -> applier.apply(List.of(res.source("/etc/x", "innocent.json"))))
        .hasMessageContaining("resolves (through a symlink) into herd's state directory (.herd)");
    Files.createSymbolicLink(project.resolve("state"), Path.of(".herd"));
    Files.writeString(project.resolve("s.j2"), "{% include 'state/keys/secrets.json' %}");
    assertThatThrownBy(() -> applier.apply(List.of(res.template("/etc/s", "s.j2"))))
        .hasMessageContaining("into herd's state directory");
    assertThat(rootDir.resolve("etc/k")).doesNotExist();
    assertThat(rootDir.resolve("etc/x")).doesNotExist();
  }

  @Test
  void aStateDirectoryGivenWithStateIsOffLimitsToo() throws IOException {
    Path state = Files.createDirectories(project.resolve("var/herd-state/keys"));
    Files.writeString(state.resolve("secrets.json"), "{}");
    Applier withState = new Applier(root, new TreeMetadata(), new ApplyContext(project, project.resolve("var/herd-state"),
        TemplateVars.of(Map.of(), "web", "1", Instant.EPOCH), Instant.EPOCH));
    Files.writeString(project.resolve("t.j2"), "{% include 'var/herd-state/keys/secrets.json' %}");
    assertThatThrownBy(() -> withState.apply(List.of(res.template("/etc/t", "t.j2"))))
        .hasMessageContaining("is in herd's state directory (var/herd-state)");
    // Other project files still work, through symlinks inside the project too.
    Files.writeString(project.resolve("ok.txt"), "fine");
    Files.createSymbolicLink(project.resolve("link.txt"), Path.of("ok.txt"));
    withState.apply(List.of(res.source("/etc/ok", "link.txt")));
    assertThat(rootDir.resolve("etc/ok")).hasContent("fine");
  }

  @Test
  void fileInPlaceOfADirectoryIsRefusedAndAFileIsNotADirectory() throws IOException {
    Files.writeString(rootDir.resolve("etc/app"), "x");
    assertThatThrownBy(() -> applier.apply(List.of(res.file("/etc/app/conf", "x"))))
        .hasMessageContaining("/etc/app is not a directory");
    assertThatThrownBy(() -> applier.apply(List.of(res.file("/srv", "x"))))
        .hasMessageContaining("/srv exists and is a directory, not a file");
  }
}
