package dev.herd.image.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.image.oci.ImageException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ImageUserTest {
  static final Map<String, String> FILES = Map.of(
      "etc/passwd", """
          root:x:0:0:root:/root:/bin/sh
          # a comment
          www:x:101:102::/nonexistent:/usr/sbin/nologin
          app:x:1000:1000::/home/app:/bin/sh
          """,
      "etc/group", """
          root:x:0:
          www:x:102:
          staff:x:50:app
          """);

  record Case(String user, int uid, int gid) {}

  @Test
  void aUserResolvesLikeAContainerRuntimeDoes() {
    List<Case> cases = List.of(
        new Case("", 0, 0),
        new Case("root", 0, 0),
        new Case("www", 101, 102),
        new Case("www:staff", 101, 50),
        new Case("www:7", 101, 7),
        new Case("101", 101, 102),        // a uid with a passwd entry gets its primary group
        new Case("4242", 4242, 0),        // one without runs with gid 0
        new Case("4242:4243", 4242, 4243),
        new Case("1000:staff", 1000, 50));
    for (Case c : cases) {
      assertThat(ImageUser.resolve(c.user(), () -> FILES, "image x")).as(c.user()).isEqualTo(new ImageUser(c.uid(), c.gid()));
    }
  }

  @Test
  void numericUsersNeedNoAccountFiles() {
    AtomicInteger reads = new AtomicInteger();
    ImageUser.resolve("33:33", () -> {
      reads.incrementAndGet();
      return FILES;
    }, "image x");
    ImageUser.resolve("", () -> {
      reads.incrementAndGet();
      return FILES;
    }, "image x");
    assertThat(reads).hasValue(0);
  }

  @Test
  void anUnknownNameIsAnErrorNamingTheImage() {
    assertThatThrownBy(() -> ImageUser.resolve("nobody", () -> FILES, "image sha256:ab"))
        .isInstanceOf(ImageException.class).hasMessage("image sha256:ab: its user nobody is not in the image's /etc/passwd");
    assertThatThrownBy(() -> ImageUser.resolve("www:wheel", () -> FILES, "image sha256:ab"))
        .isInstanceOf(ImageException.class).hasMessageContaining("its group wheel is not in the image's /etc/group");
    assertThatThrownBy(() -> ImageUser.resolve("www", Map::of, "image sha256:ab"))
        .isInstanceOf(ImageException.class).hasMessageContaining("its user www");
  }
}
