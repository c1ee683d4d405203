package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCommandTest {
  @TempDir Path dir;

  private Path project() throws IOException {
    Files.writeString(dir.resolve("herd.yaml"), """
        project: {name: shop}
        roles:
          web:
            base: {scratch: {}}
            resources:
              - file: /etc/motd
                content: "baked by herd\\n"
            command: ["/bin/true"]
        """);
    return dir;
  }

  @Test
  void aMatchingTreeExitsZeroAndADifferingOneTwoWithWhatIsAndShouldBe() throws IOException {
    Path root = Files.createDirectories(dir.resolve("root/etc"));
    Files.writeString(root.resolve("motd"), "baked by herd\n");
    String owner = Files.getAttribute(root.resolve("motd"), "unix:uid").toString();
    CliRun ok = CliRun.of("audit", "web", "-f", project().toString(), "--root", dir.resolve("root").toString());
    if (!owner.equals("0")) {
      // not root: the file cannot belong to root, and the audit rightly says so
      assertThat(ok.exitCode()).isEqualTo(AuditCommand.DIFFERS);
      return;
    }
    assertThat(ok.exitCode()).as(ok.err()).isZero();
    assertThat(ok.out()).isEmpty();

    Files.writeString(root.resolve("motd"), "edited\n");
    CliRun differs = CliRun.of("audit", "web", "-f", dir.toString(), "--root", dir.resolve("root").toString());
    assertThat(differs.exitCode()).isEqualTo(AuditCommand.DIFFERS);
    assertThat(differs.out()).startsWith("/etc/motd: content differs (sha256 ");
    assertThat(differs.err()).contains("role web: 1 difference");
  }

  @Test
  void anUnknownRoleOrAMissingRootIsExitFour() throws IOException {
    assertThat(CliRun.of("audit", "db", "-f", project().toString(), "--root", dir.toString()).exitCode()).isEqualTo(HerdCli.ENVIRONMENT);
    CliRun missing = CliRun.of("audit", "web", "-f", dir.toString(), "--root", dir.resolve("nope").toString());
    assertThat(missing.exitCode()).isEqualTo(HerdCli.ENVIRONMENT);
    assertThat(missing.err()).contains("is not a directory");
  }
}
