package dev.herd.bake.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.bake.base.DebianPackage;
import dev.herd.bake.base.DpkgDatabase;
import dev.herd.bake.tree.ApplyContext;
import dev.herd.bake.tree.ImageRoot;
import dev.herd.bake.tree.ResourceContent;
import dev.herd.bake.tree.TemplateVars;
import dev.herd.bake.tree.TreeMetadata;
import dev.herd.bake.verify.ImageVerifier;
import dev.herd.bake.verify.TestResult;
import dev.herd.spec.ImageTest;
import dev.herd.spec.Location;
import dev.herd.spec.Role;
import dev.herd.spec.SpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SBOM, the image tests and the audit read one dpkg database and agree on what is installed. */
class OneDpkgReaderTest {
  static final List<String> NAMES = List.of("busybox", "curl", "libc6", "openssl", "tzdata", "vim");

  @Test
  void sbomImageTestsAndAuditAgreeOnATrickyDatabase(@TempDir Path project, @TempDir Path tree) throws IOException {
    Files.createDirectories(tree.resolve("var/lib/dpkg/status.d"));
    Files.writeString(tree.resolve("var/lib/dpkg/status"), """
        Package: busybox
        Status: install ok installed
        Architecture: amd64
        Version: 1:1.35.0-4+b3

        Package: curl
        Status: install ok triggers-pending
        Architecture: amd64
        Version: 7.88.1-10+deb12u12

        Package: libc6
        Status: install ok installed
        Architecture: i386
        Multi-Arch: same
        Version: 2.36-9+deb12u10

        Package: openssl
        Status: install reinstreq half-installed
        Architecture: amd64
        Version: 3.0.16-1~deb12u1

        Package: vim
        Status: deinstall ok config-files
        Architecture: amd64
        Version: 2:9.0.1378-2
        """);
    Files.writeString(tree.resolve("var/lib/dpkg/status.d/tzdata"), "Package: tzdata\nVersion: 2025b-0+deb12u1\nArchitecture: all\n");
    Files.writeString(project.resolve("herd.yaml"), """
        project: {name: shop}
        roles:
          web:
            base: {debian: {variant: minbase}}
            packages: [busybox, curl, libc6, openssl, tzdata, vim]
            command: ["/bin/true"]
        """);
    Role role = SpecLoader.load(project.resolve("herd.yaml"), Files.readAllBytes(project.resolve("herd.yaml"))).orThrow()
        .roles().get("web");
    ApplyContext context = new ApplyContext(project, TemplateVars.of(Map.of(), "web", "1", Instant.EPOCH), Instant.EPOCH);
    ImageRoot root = ImageRoot.at(tree);

    Set<String> sbom = DpkgDatabase.installed(tree).stream().map(DebianPackage::name).collect(Collectors.toCollection(TreeSet::new));

    List<ImageTest> tests = NAMES.stream().<ImageTest>map(n -> new ImageTest.Package(n, true, Optional.empty(),
        new Location(Path.of("herd.yaml"), 1, 1), "roles.web.tests[0]")).toList();
    Set<String> passing = new ImageVerifier(root, new TreeMetadata(), new ResourceContent(context), Optional.empty())
        .verify("web", List.of(), tests).results().stream().filter(TestResult::passed)
        .map(r -> r.name().substring("package ".length())).collect(Collectors.toCollection(TreeSet::new));

    Set<String> audited = new TreeSet<>(NAMES);
    new Auditor(root, new TreeMetadata(), context).audit(role).findings().stream()
        .filter(f -> f.kind() == AuditFinding.Kind.PACKAGE)
        .forEach(f -> audited.remove(f.subject().substring("package ".length())));

    assertThat(sbom).containsExactly("busybox", "curl", "libc6", "tzdata");
    assertThat(passing).isEqualTo(sbom);
    assertThat(audited).isEqualTo(sbom);
  }
}
