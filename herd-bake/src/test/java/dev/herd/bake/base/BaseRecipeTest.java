package dev.herd.bake.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.spec.Base;
import java.util.List;
import org.junit.jupiter.api.Test;

class BaseRecipeTest {
  @Test
  void stableSuiteOnADebianMirrorGetsUpdatesAndSecurity() {
    assertThat(BaseRecipe.sources("bookworm", "http://deb.debian.org/debian/", RoleLockTest.AT)).containsExactly(
        "deb http://deb.debian.org/debian bookworm main",
        "deb http://deb.debian.org/debian bookworm-updates main",
        "deb http://deb.debian.org/debian-security bookworm-security main");
    assertThat(BaseRecipe.sources("bookworm", "", RoleLockTest.AT)).hasSize(3);
    assertThat(BaseRecipe.sources("sid", null, RoleLockTest.AT)).containsExactly("deb http://deb.debian.org/debian sid main");
  }

  @Test
  void verbatimSourceLinesAreKept() {
    assertThat(BaseRecipe.sources("bookworm", "deb http://snapshot.debian.org/archive/debian/20250520T000000Z bookworm main\n",
        RoleLockTest.AT)).containsExactly("deb http://snapshot.debian.org/archive/debian/20250520T000000Z bookworm main");
  }

  @Test
  void badInputNamesTheSpecLocation() {
    assertThatThrownBy(() -> BaseRecipe.sources("bookworm", "ftp.debian.org", RoleLockTest.AT))
        .hasMessageStartingWith("herd.yaml:4:5: mirror 'ftp.debian.org'");
    assertThatThrownBy(() -> new BaseRecipe("bookworm", Base.Variant.EXTRACT, "amd64", List.of("deb http://x bookworm main"),
        List.of("busybox-static; rm -rf /"), RoleLockTest.AT)).hasMessageContaining("is not a Debian package name");
    assertThatThrownBy(() -> new BaseRecipe("Bookworm!", Base.Variant.EXTRACT, "amd64", List.of("deb http://x b main"),
        List.of(), RoleLockTest.AT)).hasMessageContaining("suite 'Bookworm!'");
  }

  @Test
  void packagesStageAddsRolePackagesToTheBase() {
    var debian = new Base.Debian("bookworm", Base.Variant.EXTRACT, null, List.of("libc6", "busybox-static"), RoleLockTest.AT);
    assertThat(BaseRecipe.withRolePackages(debian, List.of("curl", "libc6"), "amd64").packages())
        .containsExactly("busybox-static", "curl", "libc6");
    assertThat(BaseRecipe.base(debian, "amd64").packages()).containsExactly("busybox-static", "libc6");
  }
}
