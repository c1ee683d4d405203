package dev.herd.bake.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.spec.Resource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplierTest {
  static final Instant EPOCH = Instant.parse("2024-01-01T00:00:00Z");
  @TempDir Path base;
  Path rootDir;
  Path project;
  ImageRoot root;
  TreeMetadata metadata;
  Applier applier;
  final Res res = new Res();

  @BeforeEach
  void setUp() throws IOException {
    rootDir = Files.createDirectories(base.resolve("root"));
    project = Files.createDirectories(base.resolve("project"));
    Files.writeString(project.resolve("index.html"), "<h1>hello</h1>\n");
    Files.writeString(project.resolve("app.conf.j2"), "name={{ role.name }}\nport={{ port }}\n");
    Files.createDirectories(rootDir.resolve("tmp/cache"));
    Files.writeString(rootDir.resolve("tmp/cache/junk"), "x");
    root = ImageRoot.at(rootDir);
    metadata = new TreeMetadata();
    applier = new Applier(root, metadata,
        new ApplyContext(project, TemplateVars.of(Map.of("port", "8080"), "web", "1.0.0", EPOCH), EPOCH));
  }

  private List<Resource> webRole() {
    return List.of(
        res.group("www", null, true),
        res.user("www", null, null, List.of(), true),
        res.dir("/srv/www", "0750", "www", "www"),
        res.source("/srv/www/index.html", "index.html"),
        res.template("/etc/app/app.conf", "app.conf.j2"),
        res.file("/usr/local/bin/tool", "#!/bin/sh\n", "4755", "root", "root"),
        res.link("/srv/current", "www"),
        res.absent("/tmp/cache"));
  }

  /** Every file, link and directory under the root with its content or target, for comparing trees. */
  private Map<String, String> snapshot() throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(rootDir)) {
      for (Path p : s.toList()) {
        String key = "/" + rootDir.relativize(p);
        String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        if (Files.isSymbolicLink(p)) {
          out.put(key, "-> " + Files.readSymbolicLink(p));
        } else if (Files.isRegularFile(p)) {
          out.put(key, perms + " " + Files.readString(p));
        } else {
          out.put(key, perms + " dir");
        }
      }
    }
    return out;
  }

  /**
   * A staging tree of hard links to a cached tree (cp -al): the role changes the staging tree
   * exactly as on a copy, and the cached tree keeps every byte, mode and link it had.
   */
  @Test
  void onATreeHardLinkedToACachedOneTheCachedTreeNeverChanges() throws Exception {
    Path cached = Files.createDirectories(base.resolve("cached"));
    Files.createDirectories(cached.resolve("usr/local/bin"));
    Files.writeString(cached.resolve("usr/local/bin/tool"), "#!/bin/sh\n");       // same content, new mode below
    Files.setPosixFilePermissions(cached.resolve("usr/local/bin/tool"), PosixFilePermissions.fromString("rw-r--r--"));
    Files.createDirectories(cached.resolve("srv/www"));
    Files.writeString(cached.resolve("srv/www/index.html"), "old\n");              // replaced
    Files.createDirectories(cached.resolve("tmp/cache"));
    Files.writeString(cached.resolve("tmp/cache/junk"), "x");                       // removed
    Files.createSymbolicLink(cached.resolve("srv/current"), Path.of("old"));        // replaced
    Files.createLink(cached.resolve("usr/local/bin/tool2"), cached.resolve("usr/local/bin/tool")); // the image's own hard link
    Path staging = Files.createDirectories(base.resolve("staging"));
    Process cp = new ProcessBuilder("cp", "-a", "-l", cached + "/.", staging + "/").inheritIO().start();
    assertThat(cp.waitFor()).isZero();
    Map<String, String> before = snapshot(cached);

    Applier linked = new Applier(ImageRoot.at(staging, true), new TreeMetadata(),
        new ApplyContext(project, TemplateVars.of(Map.of("port", "8080"), "web", "1.0.0", EPOCH), EPOCH));
    linked.apply(webRole());

    assertThat(snapshot(cached)).as("the cached tree").isEqualTo(before);
    Path tool = staging.resolve("usr/local/bin/tool");
    // on disk the mode without setuid (the layer takes 4755 from the metadata)
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tool))).isEqualTo("rwxr-xr-x");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cached.resolve("usr/local/bin/tool2"))))
        .as("the cached tree's own hard link to it").isEqualTo("rw-r--r--");
    assertThat(Files.readString(tool)).isEqualTo("#!/bin/sh\n");
    assertThat(Files.readString(staging.resolve("srv/www/index.html"))).isEqualTo("<h1>hello</h1>\n");
    assertThat(Files.readSymbolicLink(staging.resolve("srv/current"))).isEqualTo(Path.of("www"));
    assertThat(staging.resolve("tmp/cache/junk")).doesNotExist();
    assertThat(Files.readString(cached.resolve("usr/local/bin/tool2"))).isEqualTo("#!/bin/sh\n");
    assertThat(OwnInode.own(staging.resolve("usr/local/bin/tool"))).as("already its own").isFalse();
  }

  private static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        String key = "/" + dir.relativize(p);
        String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        Object uid = Files.getAttribute(p, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (Files.isSymbolicLink(p)) {
          out.put(key, "-> " + Files.readSymbolicLink(p));
        } else if (Files.isRegularFile(p)) {
          out.put(key, perms + " " + uid + " " + Files.readString(p));
        } else {
          out.put(key, perms + " dir");
        }
      }
    }
    return out;
  }

  @Test
  void appliesARoleAndReportsWhatItCreated() throws IOException {
    ChangeReport report = applier.apply(webRole());
    assertThat(report.changes()).extracting(Change::kind, Change::subject).containsExactly(
        org.assertj.core.groups.Tuple.tuple(Change.Kind.CREATED, "group www"),
        org.assertj.core.groups.Tuple.tuple(Change.Kind.CREATED, "user www"),
        org.assertj.core.groups.Tuple.tuple(Change.Kind.CREATED, "/srv"),
        org.assertj.core.groups.Tuple.tuple(Change.Kind.CREATED, "/srv/www"),
        org.assertj.core.groups.Tuple.tuple(Change.Kind.CREATED, "/srv/www/index.html"),
        org.assertj.core.groups.Tuple.tuple(Change.Kind.CREATED, "/etc/app"),
        org.assertj.core.groups.Tuple.tuple(Change.Kind.CREATED, "/etc/app/app.conf"),
        org.assertj.core.groups.Tuple.tuple(Change.Kind.CREATED, "/usr"),
        org.assertj.core.groups.Tuple.tuple(Change.Kind.CREATED, "/usr/local"),
        org.assertj.core.groups.Tuple.tuple(Change.Kind.CREATED, "/usr/local/bin"),
        org.assertj.core.groups.Tuple.tuple(Change.Kind.CREATED, "/usr/local/bin/tool"),
        org.assertj.core.groups.Tuple.tuple(Change.Kind.CREATED, "/srv/current"),
        org.assertj.core.groups.Tuple.tuple(Change.Kind.REMOVED, "/tmp/cache"));
    assertThat(report.changes().getLast().reason()).isEqualTo("directory with 1 entries");
    assertThat(rootDir.resolve("etc/app/app.conf")).hasContent("name=web\nport=8080");
    assertThat(Files.readSymbolicLink(rootDir.resolve("srv/current"))).isEqualTo(Path.of("www"));
    assertThat(rootDir.resolve("tmp/cache")).doesNotExist();
    // Ownership lives in the metadata: the bake cannot chown to uid 100.
    assertThat(metadata.get("/srv/www")).contains(new TreeMetadata.Attributes(100, 100, 0750));
    assertThat(metadata.get("/usr/local/bin/tool")).contains(new TreeMetadata.Attributes(0, 0, 04755));
    assertThat(metadata.get("/etc/passwd")).contains(new TreeMetadata.Attributes(0, 0, 0644));
    assertThat(metadata.get("/etc/shadow")).contains(new TreeMetadata.Attributes(0, 0, 0640));
  }

  @Test
  void applyingTwiceChangesNothingTheSecondTime() throws IOException {
    applier.apply(webRole());
    Map<String, String> first = snapshot();
    ChangeReport second = applier.apply(webRole());
    assertThat(second.changed()).isEmpty();
    assertThat(second.isUnchanged()).isTrue();
    assertThat(snapshot()).isEqualTo(first);
  }

  @Test
  void reportsContentModeAndOwnerDifferences() {
    applier.apply(List.of(res.file("/etc/motd", "old\n", "0600", "root", "root")));
    ChangeReport r = applier.apply(List.of(res.file("/etc/motd", "new\n", "0644", "1000", "1000")));
    Change c = r.changes().getFirst();
    assertThat(c.kind()).isEqualTo(Change.Kind.UPDATED);
    String old = Digests.sha256("old\n".getBytes(StandardCharsets.UTF_8)).substring(0, 4);
    String neu = Digests.sha256("new\n".getBytes(StandardCharsets.UTF_8)).substring(0, 4);
    assertThat(c.reason()).isEqualTo("content differs (sha256 " + old + "…→" + neu + "…), mode 0600→0644, owner 0:0→1000:1000");
    assertThat(rootDir.resolve("etc/motd")).hasContent("new");
  }

  @Test
  void modeOnlyChangeKeepsContent() throws IOException {
    Files.createDirectories(rootDir.resolve("etc"));
    Files.writeString(rootDir.resolve("etc/motd"), "same");
    Files.setPosixFilePermissions(rootDir.resolve("etc/motd"), PosixFilePermissions.fromString("rw-------"));
    ChangeReport r = applier.apply(List.of(res.file("/etc/motd", "same", "0644", "root", "root")));
    assertThat(r.changes().getFirst().reason()).isEqualTo("mode 0600→0644");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(rootDir.resolve("etc/motd")))).isEqualTo("rw-r--r--");
  }

  @Test
  void checkWritesNothingAndPredictsTheApplyReport() throws IOException {
    List<Resource> role = webRole();
    Map<String, String> before = snapshot();
    ChangeReport predicted = applier.check(role);
    assertThat(snapshot()).isEqualTo(before);
    assertThat(metadata.entries()).isEmpty();
    ChangeReport applied = applier.apply(role);
    assertThat(predicted).isEqualTo(applied);
    assertThat(applier.check(role).isUnchanged()).isTrue();
  }

  @Test
  void checkCarriesSimulatedStateForward() {
    // The owner "app" only exists because of the user resource before it; nothing is on disk.
    ChangeReport r = applier.check(List.of(
        res.user("app", 1500, null, List.of(), false),
        res.dir("/var/lib/app", "0700", "app", "app"),
        res.file("/var/lib/app/state", "x", "0600", "app", "app")));
    assertThat(r.changes()).extracting(Change::kind).containsOnly(Change.Kind.CREATED);
    assertThat(r.changes().getLast().reason()).isEqualTo("1 bytes, 1500:1500 0600");
    assertThat(rootDir.resolve("etc")).doesNotExist();
    assertThat(rootDir.resolve("var")).doesNotExist();
  }

  @Test
  void checkSeesAnAbsentThenRecreatedDirectoryAsEmpty() throws IOException {
    ChangeReport r = applier.check(List.of(res.absent("/tmp/cache"), res.dir("/tmp/cache", "0755", "root", "root"),
        res.absent("/tmp/cache/junk")));
    assertThat(r.changes()).extracting(Change::kind).containsExactly(Change.Kind.REMOVED, Change.Kind.CREATED, Change.Kind.UNCHANGED);
    assertThat(rootDir.resolve("tmp/cache/junk")).exists();
  }

  @Test
  void unknownOwnerIsAnErrorNamingTheResource() {
    Resource.Directory d = res.dir("/srv/x", "0755", "nobody-here", "root");
    assertThatThrownBy(() -> applier.apply(List.of(d)))
        .isInstanceOf(TreeException.class)
        .hasMessage(d.location() + ": " + d.keyPath()
            + ": owner \"nobody-here\" is not a user in the image's /etc/passwd (declare a user resource before this one, or use a numeric uid)");
  }

  @Test
  void badModeIsRefused() {
    assertThatThrownBy(() -> applier.apply(List.of(res.file("/x", "x", "rw-r--r--", "root", "root"))))
        .hasMessageContaining("expected a file mode like \"0644\", got \"rw-r--r--\"");
  }

  @Test
  void symlinkRetargetAndFileReplacement() throws IOException {
    applier.apply(List.of(res.link("/srv/current", "v1")));
    ChangeReport r = applier.apply(List.of(res.link("/srv/current", "v2")));
    assertThat(r.changes().getFirst().reason()).isEqualTo("target v1→v2");
    Files.writeString(rootDir.resolve("srv/plain"), "x");
    r = applier.apply(List.of(res.link("/srv/plain", "/etc/hostname")));
    assertThat(r.changes().getFirst().reason()).isEqualTo("regular file replaced by symlink -> /etc/hostname");
    assertThat(Files.readSymbolicLink(rootDir.resolve("srv/plain"))).isEqualTo(Path.of("/etc/hostname"));
  }

  @Test
  void writingThroughAnInsideSymlinkUpdatesItsTarget() throws IOException {
    Files.createDirectories(rootDir.resolve("etc"));
    Files.createDirectories(rootDir.resolve("run/systemd"));
    Files.createSymbolicLink(rootDir.resolve("etc/resolv.conf"), Path.of("../run/systemd/resolv.conf"));
    ChangeReport r = applier.apply(List.of(res.file("/etc/resolv.conf", "nameserver 127.0.0.1\n")));
    assertThat(r.changes().getFirst().subject()).isEqualTo("/run/systemd/resolv.conf");
    assertThat(Files.isSymbolicLink(rootDir.resolve("etc/resolv.conf"))).isTrue();
    assertThat(rootDir.resolve("run/systemd/resolv.conf")).hasContent("nameserver 127.0.0.1");
  }

  @Test
  void metadataRoundTripsThroughItsFile() throws IOException {
    applier.apply(webRole());
    Path file = base.resolve("tree-metadata.json");
    metadata.save(file);
    TreeMetadata loaded = TreeMetadata.load(file);
    assertThat(loaded.entries()).isEqualTo(metadata.entries());
    Path again = base.resolve("again.json");
    loaded.save(again);
    assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(file));
    assertThat(Files.readString(file)).contains("\"/usr/local/bin/tool\"").contains("\"mode\" : \"4755\"");
    List<String> keys = new ArrayList<>(loaded.entries().keySet());
    assertThat(keys).isSorted();
  }
}
