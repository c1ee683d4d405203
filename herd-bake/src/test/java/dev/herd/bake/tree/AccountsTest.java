package dev.herd.bake.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccountsTest {
  static final Instant EPOCH = Instant.parse("2024-01-01T12:00:00Z"); // day 19723
  @TempDir Path base;
  final Res res = new Res();

  private Applier applier(Path root) throws IOException {
    Files.createDirectories(root);
    Path project = Files.createDirectories(base.resolve("project"));
    return new Applier(ImageRoot.at(root), new TreeMetadata(),
        new ApplyContext(project, TemplateVars.of(Map.of(), "web", "1", EPOCH), EPOCH));
  }

  private static final String DEBIAN_PASSWD = """
      root:x:0:0:root:/root:/bin/bash
      # local comment kept as is
      daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
      _apt:x:100:65534::/nonexistent:/usr/sbin/nologin
      nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
      """;
  private static final String DEBIAN_GROUP = """
      root:x:0:
      daemon:x:1:
      adm:x:4:
      shadow:x:42:
      systemd-journal:x:100:
      nogroup:x:65534:
      """;

  private void debianBase(Path root) throws IOException {
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/passwd"), DEBIAN_PASSWD);
    Files.writeString(root.resolve("etc/group"), DEBIAN_GROUP);
    Files.writeString(root.resolve("etc/shadow"), "root:*:19700:0:99999:7:::\n");
  }

  private List<dev.herd.spec.Resource> accounts() {
    return List.of(
        res.group("www", null, true),
        res.user("www", null, "www", List.of("adm"), true),
        res.user("app", null, null, List.of(), true),
        res.user("alice", null, null, List.of("adm", "www"), false),
        res.group("ops", 2000, false));
  }

  @Test
  void editsADebianBaseKeepingLinesAndOrderAndAllocatingLowestFreeIds() throws IOException {
    Path root = base.resolve("a");
    debianBase(root);
    ChangeReport r = applier(root).apply(accounts());
    assertThat(Files.readString(root.resolve("etc/passwd"))).isEqualTo(DEBIAN_PASSWD
        + "www:x:101:101::/nonexistent:/usr/sbin/nologin\n"
        + "app:x:102:102::/nonexistent:/usr/sbin/nologin\n"
        + "alice:x:1000:1000::/home/alice:/bin/sh\n");
    assertThat(Files.readString(root.resolve("etc/group"))).isEqualTo("""
        root:x:0:
        daemon:x:1:
        adm:x:4:www,alice
        shadow:x:42:
        systemd-journal:x:100:
        nogroup:x:65534:
        www:x:101:alice
        app:x:102:
        alice:x:1000:
        ops:x:2000:
        """);
    assertThat(Files.readString(root.resolve("etc/shadow"))).isEqualTo("""
        root:*:19700:0:99999:7:::
        www:!:19723:0:99999:7:::
        app:!:19723:0:99999:7:::
        alice:!:19723:0:99999:7:::
        """);
    // gshadow did not exist: created with every group herd added or changed.
    assertThat(Files.readString(root.resolve("etc/gshadow"))).isEqualTo("""
        www:!::alice
        adm:!::www,alice
        app:!::
        alice:!::
        ops:!::
        """);
    assertThat(r.changes().get(1).reason()).isEqualTo("uid 101, gid 101, home /nonexistent, shell /usr/sbin/nologin; added to adm");
    assertThat(r.changes().get(2).reason()).isEqualTo("uid 102, gid 102, home /nonexistent, shell /usr/sbin/nologin; group app created (gid 102)");
  }

  @Test
  void sameInputGivesSameBytesAndSecondRunIsUnchanged() throws IOException {
    Path a = base.resolve("a");
    Path b = base.resolve("b");
    debianBase(a);
    debianBase(b);
    applier(a).apply(accounts());
    applier(b).apply(accounts());
    for (String f : List.of("etc/passwd", "etc/group", "etc/shadow", "etc/gshadow")) {
      assertThat(Files.readAllBytes(a.resolve(f))).as(f).isEqualTo(Files.readAllBytes(b.resolve(f)));
    }
    byte[] before = Files.readAllBytes(a.resolve("etc/group"));
    ChangeReport again = applier(a).apply(accounts());
    assertThat(again.isUnchanged()).as(again.render()).isTrue();
    assertThat(Files.readAllBytes(a.resolve("etc/group"))).isEqualTo(before);
  }

  @Test
  void scratchImageGetsAllFourFiles() throws IOException {
    Path root = base.resolve("scratch");
    applier(root).apply(List.of(res.user("app", 10001, null, List.of(), false)));
    assertThat(Files.readString(root.resolve("etc/passwd"))).isEqualTo("app:x:10001:10001::/home/app:/bin/sh\n");
    assertThat(Files.readString(root.resolve("etc/group"))).isEqualTo("app:x:10001:\n");
    assertThat(Files.readString(root.resolve("etc/shadow"))).isEqualTo("app:!:19723:0:99999:7:::\n");
    assertThat(Files.readString(root.resolve("etc/gshadow"))).isEqualTo("app:!::\n");
  }

  @Test
  void primaryGroupFallsBackToLowestFreeGidWhenUidIsTaken() throws IOException {
    Path root = base.resolve("c");
    debianBase(root);
    // gid 100 is systemd-journal; uid 100 is _apt, so the new system user gets uid 101; gid 101 is free.
    Files.writeString(root.resolve("etc/group"), DEBIAN_GROUP + "taken:x:101:\n");
    applier(root).apply(List.of(res.user("svc", null, null, List.of(), true)));
    assertThat(Files.readString(root.resolve("etc/passwd"))).endsWith("svc:x:101:102::/nonexistent:/usr/sbin/nologin\n");
  }

  @Test
  void updatesAnExistingUserInPlace() throws IOException {
    Path root = base.resolve("d");
    debianBase(root);
    dev.herd.spec.Resource.User daemon = new dev.herd.spec.Resource.User("daemon", java.util.Optional.empty(),
        java.util.Optional.empty(), List.of(), "/usr/sbin", "/bin/false", true, res.loc(), "roles.web.resources[0]");
    ChangeReport r = applier(root).apply(List.of(daemon));
    assertThat(r.changes().getFirst().kind()).isEqualTo(Change.Kind.UPDATED);
    assertThat(r.changes().getFirst().reason()).isEqualTo("shell /usr/sbin/nologin→/bin/false; locked /etc/shadow entry added");
    assertThat(Files.readAllLines(root.resolve("etc/passwd")).get(2)).isEqualTo("daemon:x:1:1:daemon:/usr/sbin:/bin/false");
  }

  @Test
  void conflictsAndUnknownGroupsAreErrors() throws IOException {
    Path root = base.resolve("e");
    debianBase(root);
    Applier applier = applier(root);
    assertThatThrownBy(() -> applier.apply(List.of(res.user("x", 65534, null, List.of(), false))))
        .hasMessageContaining("uid 65534 is already used by user \"nobody\"");
    assertThatThrownBy(() -> applier.apply(List.of(res.group("g", 42, false))))
        .hasMessageContaining("gid 42 is already used by group \"shadow\"");
    assertThatThrownBy(() -> applier.apply(List.of(res.user("y", null, "wheel", List.of(), false))))
        .hasMessageContaining("group \"wheel\" does not exist");
    assertThatThrownBy(() -> applier.apply(List.of(res.user("Bad:Name", null, null, List.of(), false))))
        .hasMessageContaining("account name \"Bad:Name\" is not valid");
    assertThat(Files.readString(root.resolve("etc/passwd"))).isEqualTo(DEBIAN_PASSWD);
  }
}
