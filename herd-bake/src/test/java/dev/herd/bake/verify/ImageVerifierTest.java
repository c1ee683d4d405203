package dev.herd.bake.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.bake.tree.Applier;
import dev.herd.bake.tree.ApplyContext;
import dev.herd.bake.tree.ImageRoot;
import dev.herd.bake.tree.Res;
import dev.herd.bake.tree.ResourceContent;
import dev.herd.bake.tree.TemplateVars;
import dev.herd.bake.tree.TreeMetadata;
import dev.herd.spec.ImageTest;
import dev.herd.spec.Location;
import dev.herd.spec.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ImageVerifierTest {
  static final Instant EPOCH = Instant.parse("2024-01-01T00:00:00Z");
  @TempDir Path base;
  Path rootDir;
  ImageRoot root;
  TreeMetadata metadata;
  ApplyContext context;
  List<Resource> resources;
  final Res res = new Res();
  final ScriptedCommandRunner runner = new ScriptedCommandRunner();
  int testLine = 100;

  @BeforeEach
  void setUp() throws IOException {
    rootDir = Files.createDirectories(base.resolve("root"));
    Path project = Files.createDirectories(base.resolve("project"));
    Files.writeString(project.resolve("site.conf.j2"), "listen {{ port }};\n");
    Files.createDirectories(rootDir.resolve("var/lib/dpkg"));
    try (InputStream in = getClass().getResourceAsStream("/verify/dpkg-status")) {
      Files.copy(in, rootDir.resolve("var/lib/dpkg/status"));
    }
    Files.createDirectories(rootDir.resolve("tmp/cache"));
    root = ImageRoot.at(rootDir);
    metadata = new TreeMetadata();
    context = new ApplyContext(project, TemplateVars.of(Map.of("port", "8080"), "web", "1", EPOCH), EPOCH);
    resources = List.of(
        res.group("www", 33, true),
        res.user("www", 33, "www", List.of(), true),
        res.dir("/srv/www", "0750", "www", "www"),
        res.file("/srv/www/index.html", "<h1>hello</h1>\n", "0644", "www", "www"),
        res.template("/etc/nginx/site.conf", "site.conf.j2"),
        res.link("/srv/current", "www"),
        res.absent("/tmp/cache"));
    new Applier(root, metadata, context).apply(resources);
  }

  private ImageVerifier verifier(Optional<CommandRunner> r) {
    return new ImageVerifier(root, metadata, new ResourceContent(context), r);
  }

  private Location loc() {
    return new Location(Path.of("herd.yaml"), ++testLine, 7);
  }

  private String key() {
    return "roles.web.tests[" + (testLine - 101) + "]";
  }

  private ImageTest.File fileTest(String path, boolean exists, String mode, String owner, String group, List<String> contains,
      String sha) {
    Location l = loc();
    return new ImageTest.File(path, exists, Optional.ofNullable(mode), Optional.ofNullable(owner), Optional.ofNullable(group),
        contains, Optional.ofNullable(sha), l, key());
  }

  private ImageTest.Package pkg(String name, boolean installed, String version) {
    Location l = loc();
    return new ImageTest.Package(name, installed, Optional.ofNullable(version), l, key());
  }

  private ImageTest.User user(String name, boolean exists, Integer uid, String group) {
    Location l = loc();
    return new ImageTest.User(name, exists, uid == null ? OptionalInt.empty() : OptionalInt.of(uid), Optional.ofNullable(group), l, key());
  }

  private ImageTest.Group group(String name, boolean exists, Integer gid) {
    Location l = loc();
    return new ImageTest.Group(name, exists, gid == null ? OptionalInt.empty() : OptionalInt.of(gid), l, key());
  }

  private ImageTest.Command command(List<String> argv, int exit, List<String> stdout) {
    Location l = loc();
    return new ImageTest.Command(argv, exit, stdout, l, key());
  }

  @Test
  void aCorrectImagePassesDeclaredAndImpliedTests() {
    runner.answer(List.of("nginx", "-v"), 0, "nginx version: nginx/1.22.1\n", "");
    List<ImageTest> tests = List.of(
        fileTest("/srv/www/index.html", true, "0644", "www", "33", List.of("hello"),
            dev.herd.bake.tree.Digests.sha256("<h1>hello</h1>\n".getBytes())),
        fileTest("/tmp/cache", false, null, null, null, List.of(), null),
        pkg("nginx", true, "1.22.1-9"),
        pkg("libc6:amd64", true, null),
        pkg("apache2", false, null),
        user("www", true, 33, "www"),
        user("mallory", false, null, null),
        group("www", true, 33),
        command(List.of("nginx", "-v"), 0, List.of("nginx/1.22")));
    VerifyReport report = verifier(Optional.of(runner)).verify("web", resources, tests);
    assertThat(report.failures()).isEmpty();
    assertThat(report.results()).hasSize(tests.size() + resources.size());
    assertThat(report.results().stream().filter(TestResult::implied)).extracting(TestResult::name).containsExactly(
        "group www", "user www", "directory /srv/www", "file /srv/www/index.html", "template /etc/nginx/site.conf",
        "symlink /srv/current", "absent /tmp/cache");
    assertThat(runner.calls).containsExactly(root.hostDir() + " nginx -v");
    report.throwIfFailed();
  }

  @Test
  void fileFailuresReportExpectedVersusFoundWithTheTestLocation() throws IOException {
    Files.writeString(rootDir.resolve("srv/www/index.html"), "<h1>defaced</h1>\n");
    metadata.put("/srv/www/index.html", new TreeMetadata.Attributes(0, 0, 0600));
    ImageTest.File t = fileTest("/srv/www/index.html", true, "0644", "www", "www", List.of("hello"), "00".repeat(32));
    VerifyReport report = verifier(Optional.empty()).verify("web", List.of(), List.of(t));
    TestResult r = report.failures().getFirst();
    assertThat(r.expected()).isEqualTo("mode 0644; owner www (33); group www (33); content containing \"hello\"; sha256 " + "00".repeat(32));
    assertThat(r.found()).isEqualTo("mode 0600; owner 0; group 0; no such text; sha256 "
        + dev.herd.bake.tree.Digests.sha256("<h1>defaced</h1>\n".getBytes()));
    assertThat(r.toString()).startsWith("herd.yaml:101:7: roles.web.tests[0]: file /srv/www/index.html: expected mode 0644;");
  }

  @Test
  void presenceAndAbsenceFailures() {
    VerifyReport report = verifier(Optional.empty()).verify("web", List.of(), List.of(
        fileTest("/etc/missing", true, null, null, null, List.of(), null),
        fileTest("/srv/www", false, null, null, null, List.of(), null),
        fileTest("/srv/www/../../../etc", true, null, null, null, List.of(), null),
        fileTest("/srv/www", true, null, "nobody", null, List.of(), null)));
    assertThat(report.failures()).extracting(TestResult::expected, TestResult::found).containsExactly(
        org.assertj.core.groups.Tuple.tuple("present", "absent"),
        org.assertj.core.groups.Tuple.tuple("absent", "present (directory)"),
        org.assertj.core.groups.Tuple.tuple("present", "path \"/srv/www/../../../etc\" escapes the image root"),
        org.assertj.core.groups.Tuple.tuple("owner nobody", "no user nobody in /etc/passwd (file owned by www (33))"));
  }

  @Test
  void packageFailures() {
    VerifyReport report = verifier(Optional.empty()).verify("web", List.of(), List.of(
        pkg("nginx", true, "1.24.0-1"),
        pkg("apache2", true, null),
        pkg("curl", true, null),
        pkg("nginx", false, null)));
    assertThat(report.failures()).extracting(TestResult::expected, TestResult::found).containsExactly(
        org.assertj.core.groups.Tuple.tuple("version 1.24.0-1", "version 1.22.1-9"),
        org.assertj.core.groups.Tuple.tuple("installed", "status \"deinstall ok config-files\""),
        org.assertj.core.groups.Tuple.tuple("installed", "not installed"),
        org.assertj.core.groups.Tuple.tuple("not installed", "installed 1.22.1-9"));
  }

  @Test
  void packageVersionsCompareByDebianOrderingNotText() {
    VerifyReport report = verifier(Optional.empty()).verify("web", List.of(), List.of(
        pkg("nginx", true, "0:1.22.1-9"),
        pkg("nginx", true, "1.22.1-9~rc1")));
    assertThat(report.failures()).extracting(TestResult::expected, TestResult::found).containsExactly(
        org.assertj.core.groups.Tuple.tuple("version 1.22.1-9~rc1", "version 1.22.1-9"));
  }

  @Test
  void userAndGroupFailures() {
    VerifyReport report = verifier(Optional.empty()).verify("web", List.of(), List.of(
        user("www", true, 1000, "root"),
        user("app", true, null, null),
        user("www", false, null, null),
        group("www", true, 1000),
        group("ops", true, null)));
    assertThat(report.failures()).extracting(TestResult::expected, TestResult::found).containsExactly(
        org.assertj.core.groups.Tuple.tuple("uid 1000; primary group root", "uid 33; primary group www (33)"),
        org.assertj.core.groups.Tuple.tuple("present in /etc/passwd", "absent"),
        org.assertj.core.groups.Tuple.tuple("absent", "present (uid 33)"),
        org.assertj.core.groups.Tuple.tuple("gid 1000", "gid 33"),
        org.assertj.core.groups.Tuple.tuple("present in /etc/group", "absent"));
  }

  @Test
  void commandFailures() {
    runner.answer(List.of("nginx", "-t"), 1, "", "nginx: [emerg] unknown directive\n");
    runner.answer(List.of("cat", "/etc/os-release"), 0, "ID=debian\n", "");
    List<ImageTest> tests = List.of(
        command(List.of("nginx", "-t"), 0, List.of()),
        command(List.of("cat", "/etc/os-release"), 0, List.of("ID=alpine")),
        command(List.of("missing"), 0, List.of()));
    VerifyReport report = verifier(Optional.of(runner)).verify("web", List.of(), tests);
    assertThat(report.failures()).extracting(TestResult::expected, TestResult::found).containsExactly(
        org.assertj.core.groups.Tuple.tuple("exit status 0", "exit status 1 (stderr: \"nginx: [emerg] unknown directive\")"),
        org.assertj.core.groups.Tuple.tuple("stdout containing \"ID=alpine\"", "stdout \"ID=debian\""),
        org.assertj.core.groups.Tuple.tuple("exit status 0", "not run: sandbox refused to start: missing not scripted"));
    VerifyReport noSandbox = verifier(Optional.empty()).verify("web", List.of(), List.of(tests.getFirst()));
    assertThat(noSandbox.failures().getFirst().found()).isEqualTo("not run: no sandbox to run command tests in");
  }

  @Test
  void impliedChecksCatchAStepThatUndidAResource() throws IOException {
    // What a careless run step might do after the resources were applied:
    Files.delete(rootDir.resolve("srv/www/index.html"));
    Files.writeString(rootDir.resolve("etc/nginx/site.conf"), "listen 80;\n");
    Files.delete(rootDir.resolve("srv/current"));
    Files.createSymbolicLink(rootDir.resolve("srv/current"), Path.of("/tmp"));
    Files.createDirectories(rootDir.resolve("tmp/cache"));
    metadata.put("/srv/www", new TreeMetadata.Attributes(0, 0, 0777));
    VerifyReport report = verifier(Optional.empty()).verify("web", resources, List.of());
    assertThat(report.failures()).extracting(TestResult::name, TestResult::expected, TestResult::found).containsExactly(
        org.assertj.core.groups.Tuple.tuple("directory /srv/www", "mode 0750; owner www (33); group www (33)", "mode 0777; owner 0; group 0"),
        org.assertj.core.groups.Tuple.tuple("file /srv/www/index.html", "present", "absent"),
        org.assertj.core.groups.Tuple.tuple("template /etc/nginx/site.conf",
            "sha256 " + dev.herd.bake.tree.Digests.sha256("listen 8080;\n".getBytes()),
            "sha256 " + dev.herd.bake.tree.Digests.sha256("listen 80;\n".getBytes())),
        org.assertj.core.groups.Tuple.tuple("symlink /srv/current", "symlink -> www", "symlink -> /tmp"),
        org.assertj.core.groups.Tuple.tuple("absent /tmp/cache", "absent", "present (directory)"));
    Resource.Directory dir = (Resource.Directory) resources.get(2);
    assertThat(report.failures().getFirst().origin().toString()).isEqualTo(dir.location() + ": " + dir.keyPath());
    assertThatThrownBy(report::throwIfFailed)
        .isInstanceOf(ImageTestsFailedException.class)
        .hasMessageStartingWith("image tests of role web: 5 of 7 failed\n  " + dir.location() + ": " + dir.keyPath()
            + ": implied by this resource: directory /srv/www: expected mode 0750");
  }

  @Test
  void laterResourcesReplaceTheChecksOfEarlierOnes() {
    List<Resource> rs = List.of(res.file("/etc/a/x", "1"), res.file("/etc/a/x", "2"), res.file("/etc/b", "b"), res.absent("/etc/a"));
    new Applier(root, metadata, context).apply(rs);
    VerifyReport report = verifier(Optional.empty()).verify("web", rs, List.of());
    assertThat(report.results()).extracting(TestResult::name).containsExactly("file /etc/b", "absent /etc/a");
    assertThat(report.passed()).isTrue();
  }

  @Test
  void writesJUnitXml() throws Exception {
    Files.writeString(rootDir.resolve("srv/www/index.html"), "changed & <escaped>");
    VerifyReport report = verifier(Optional.empty()).verify("web", resources,
        List.of(fileTest("/srv/www/index.html", true, null, null, null, List.of("<h1>"), null), pkg("nginx", true, null)));
    Path xml = base.resolve("junit.xml");
    report.writeJUnitXml(xml);
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
    Element suite = (Element) doc.getElementsByTagName("testsuite").item(0);
    assertThat(suite.getAttribute("name")).isEqualTo("herd.image.web");
    assertThat(suite.getAttribute("tests")).isEqualTo("9");
    assertThat(suite.getAttribute("failures")).isEqualTo("2");
    NodeList failures = doc.getElementsByTagName("failure");
    assertThat(failures.getLength()).isEqualTo(2);
    Element first = (Element) failures.item(0);
    assertThat(first.getAttribute("message")).isEqualTo("expected content containing \"<h1>\", found no such text");
    assertThat(first.getTextContent()).startsWith("herd.yaml:101:7: roles.web.tests[0]: file /srv/www/index.html");
    Element firstCase = (Element) doc.getElementsByTagName("testcase").item(0);
    assertThat(firstCase.getAttribute("line")).isEqualTo("101");
    Path again = base.resolve("junit2.xml");
    report.writeJUnitXml(again);
    assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(xml));
  }
}
