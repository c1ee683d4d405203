package dev.herd.bake.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.bake.tree.Applier;
import dev.herd.bake.tree.ApplyContext;
import dev.herd.bake.tree.ImageRoot;
import dev.herd.bake.tree.TemplateVars;
import dev.herd.bake.tree.TreeMetadata;
import dev.herd.spec.Role;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditorTest {
  static final String BUSYBOX = "#!busybox binary stand-in\n";
  @TempDir Path project;
  @TempDir Path tree;
  Role role;
  ApplyContext context;

  @BeforeEach
  void buildTreeByApplyingTheRole() throws IOException {
    int uid = (Integer) Files.getAttribute(tree, "unix:uid");
    int gid = (Integer) Files.getAttribute(tree, "unix:gid");
    // the role's files belong to "app", whose uid is whoever runs the test: the tree on disk
    // then really has the owners the role declares, as a root-built tree would
    write("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:" + uid + ":" + gid + ":app:/home/app:/bin/sh\n");
    write("etc/group", "root:x:0:\napp:x:" + gid + ":\n");
    write("bin/busybox", BUSYBOX);
    write("usr/share/doc/busybox-static/copyright", "GPL-2\n");
    write("etc/issue", "Debian GNU/Linux 12\n");
    write("var/lib/dpkg/status", """
        Package: busybox-static
        Status: install ok installed
        Architecture: amd64
        Version: 1:1.35.0-4

        Package: base-files
        Status: install ok installed
        Architecture: amd64
        Version: 12.4
        Conffiles:
         /etc/issue %s

        Package: old-tool
        Status: deinstall ok config-files
        Architecture: amd64
        Version: 1.0
        """.formatted(md5("Debian GNU/Linux 12\n")));
    write("var/lib/dpkg/info/busybox-static.md5sums", md5(BUSYBOX) + "  bin/busybox\n"
        + md5("GPL-2\n") + "  usr/share/doc/busybox-static/copyright\n");
    write("var/lib/dpkg/info/base-files.md5sums", "");
    Files.writeString(project.resolve("herd.yaml"), """
        project: {name: shop}
        roles:
          web:
            base: {debian: {variant: minbase, packages: [busybox-static]}}
            packages: [base-files]
            resources:
              - directory: /srv/www
                owner: app
              - file: /srv/www/index.html
                content: "<h1>hello</h1>\\n"
                owner: app
              - file: /etc/motd
                content: "baked by herd\\n"
                owner: app
              - symlink: /srv/current
                to: /srv/www
              - absent: /etc/cron.daily
            command: ["/bin/busybox", "httpd", "-f"]
        """);
    Spec spec = SpecLoader.load(project.resolve("herd.yaml"), Files.readAllBytes(project.resolve("herd.yaml"))).orThrow();
    role = spec.roles().get("web");
    context = new ApplyContext(project, TemplateVars.of(role.vars(), "web", "1", Instant.EPOCH), Instant.EPOCH);
    TreeMetadata meta = new TreeMetadata();
    new Applier(ImageRoot.at(tree), meta, context).apply(role.resources());
  }

  @Test
  void aTreeJustBuiltFromTheRoleMatchesAndIsLeftExactlyAsItWas() throws IOException {
    Map<String, String> before = listing(tree);

    AuditReport report = audit();

    assertThat(report.findings()).isEmpty();
    assertThat(report.matches()).isTrue();
    assertThat(report.packagesChecked()).isEqualTo(2);
    assertThat(report.filesChecked()).isEqualTo(3); // two md5sums lines and one conffile
    assertThat(listing(tree)).isEqualTo(before);
  }

  @Test
  void anEditedFileAndADeletedPackageFileAreExactlyWhatIsReported() throws IOException {
    Files.writeString(tree.resolve("etc/motd"), "hand-edited\n");
    Files.delete(tree.resolve("bin/busybox"));
    Map<String, String> before = listing(tree);

    AuditReport report = audit();

    assertThat(report.render().lines()).containsExactly(
        "/etc/motd: content differs (sha256 " + sha("hand-edited\n") + "→" + sha("baked by herd\n") + ")",
        "package busybox-static: /bin/busybox missing");
    assertThat(listing(tree)).as("the audit changes nothing").isEqualTo(before);
  }

  @Test
  void missingPackagesModesOwnersAndEditedPackageFilesAreReportedWithWhatShouldBe() throws IOException {
    Files.writeString(tree.resolve("var/lib/dpkg/status"), Files.readString(tree.resolve("var/lib/dpkg/status"))
        .replace("Package: base-files\nStatus: install ok installed", "Package: base-files\nStatus: deinstall ok config-files"));
    Files.writeString(tree.resolve("usr/share/doc/busybox-static/copyright"), "MIT\n");
    Files.setPosixFilePermissions(tree.resolve("srv/www/index.html"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
    Files.createDirectories(tree.resolve("etc/cron.daily"));
    Files.delete(tree.resolve("srv/current"));

    AuditReport report = audit();

    assertThat(report.render().lines()).containsExactly(
        "/srv/www/index.html: mode 0666→0644",
        "/srv/current: missing, role wants symlink -> /srv/www",
        "/etc/cron.daily: present, role wants it absent (directory with 0 entries)",
        "package base-files: not installed, role wants any",
        "package busybox-static: /usr/share/doc/busybox-static/copyright content differs (md5 "
            + md5("MIT\n").substring(0, 8) + "…→" + md5("GPL-2\n").substring(0, 8) + "…)");
  }

  @Test
  void aContainerExportIsUnpackedWithTheOwnersOfItsTarHeaders() throws IOException {
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
    try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(buf)) {
      tar.setLongFileMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_POSIX);
      var dir = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("srv/");
      dir.setMode(040750);
      dir.setIds(33, 33);
      tar.putArchiveEntry(dir);
      tar.closeArchiveEntry();
      byte[] body = "x\n".getBytes(StandardCharsets.UTF_8);
      var file = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("srv/a.txt");
      file.setSize(body.length);
      file.setMode(0100640);
      file.setIds(33, 44);
      tar.putArchiveEntry(file);
      tar.write(body);
      tar.closeArchiveEntry();
      var escape = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("../evil");
      escape.setSize(1);
      tar.putArchiveEntry(escape);
      tar.write('e');
      tar.closeArchiveEntry();
    }
    Path into = Files.createDirectory(project.resolve("unpacked"));
    ContainerExport.Unpacked u = ContainerExport.unpack(new java.io.ByteArrayInputStream(buf.toByteArray()), into);

    assertThat(Files.readString(into.resolve("srv/a.txt"))).isEqualTo("x\n");
    assertThat(u.owners().get("/srv/a.txt")).hasValue(new TreeMetadata.Attributes(33, 44, 0640));
    assertThat(u.owners().get("/srv")).hasValue(new TreeMetadata.Attributes(33, 33, 0750));
    assertThat(project.resolve("evil")).doesNotExist();
    assertThat(u.entries()).isEqualTo(2);
  }

  @Test
  void aLargePackageIsHashedInParallelAndItsDifferencesComeInTheOrderOfItsMd5sums() throws IOException {
    StringBuilder sums = new StringBuilder(md5(BUSYBOX) + "  bin/busybox\n" + md5("GPL-2\n")
        + "  usr/share/doc/busybox-static/copyright\n");
    for (int i = 0; i < 300; i++) {
      String rel = "usr/lib/busybox/f" + i;
      write(rel, "file " + i + "\n");
      sums.append(md5("file " + i + "\n")).append("  ").append(rel).append('\n');
    }
    write("var/lib/dpkg/info/busybox-static.md5sums", sums.toString());
    Files.writeString(tree.resolve("usr/lib/busybox/f250"), "edited\n");
    Files.writeString(tree.resolve("usr/lib/busybox/f7"), "edited\n");
    Files.delete(tree.resolve("usr/lib/busybox/f100"));

    AuditReport report = audit();

    String edited = " content differs (md5 " + md5("edited\n").substring(0, 8) + "…→";
    assertThat(report.filesChecked()).isEqualTo(303);
    assertThat(report.render().lines()).containsExactly(
        "package busybox-static: /usr/lib/busybox/f100 missing",
        "package busybox-static: /usr/lib/busybox/f7" + edited + md5("file 7\n").substring(0, 8) + "…)",
        "package busybox-static: /usr/lib/busybox/f250" + edited + md5("file 250\n").substring(0, 8) + "…)");
  }

  private AuditReport audit() {
    ImageRoot root = ImageRoot.at(tree);
    return new Auditor(root, Auditor.ownersOnDisk(root, role.resources()), context).audit(role);
  }

  private void write(String rel, String text) throws IOException {
    Path p = tree.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text.replace("\n        ", "\n"));
  }

  /** Every path with its type, mode, owner, mtime and content hash (or link target). */
  static Map<String, String> listing(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        String kind = Files.isSymbolicLink(p) ? "l " + Files.readSymbolicLink(p)
            : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "d" : "f " + sha(Files.readAllBytes(p));
        out.put(root.relativize(p).toString(), kind + " " + Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)
            + " " + Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)
            + " " + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis());
      }
    }
    return out;
  }

  static String md5(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha(String s) {
    return dev.herd.bake.tree.Digests.shortSha256(s.getBytes(StandardCharsets.UTF_8));
  }

  static String sha(byte[] b) {
    return dev.herd.bake.tree.Digests.shortSha256(b);
  }
}
