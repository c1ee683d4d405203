package dev.herd.bake.base;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.spec.Base;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CacheKeyTest {
  static final DebianPackage BUSYBOX = new DebianPackage("busybox-static", "1:1.35.0-4+b3", "amd64");
  static final DebianPackage LIBC = new DebianPackage("libc6", "2.36-9", "amd64");

  static Resolution resolution(Base.Variant variant, List<String> requested, List<DebianPackage> packages, String mirror, long epoch) {
    BaseRecipe recipe = new BaseRecipe("bookworm", variant, "amd64", List.of("deb " + mirror + " bookworm main"), requested, RoleLockTest.AT);
    return new Resolution(recipe, packages, Optional.of(Instant.ofEpochSecond(epoch)));
  }

  static Resolution reference() {
    return resolution(Base.Variant.EXTRACT, List.of("busybox-static", "libc6"), List.of(BUSYBOX, LIBC), "http://deb.debian.org/debian", 100);
  }

  @Test
  void keyIsAStableHexDigestIndependentOfListOrder() {
    String key = CacheKey.of(reference());
    assertThat(key).matches("[0-9a-f]{64}");
    assertThat(CacheKey.of(resolution(Base.Variant.EXTRACT, List.of("libc6", "busybox-static", "libc6"), List.of(LIBC, BUSYBOX),
        "http://deb.debian.org/debian", 100))).isEqualTo(key);
    // pinned so that an accidental change of the canonical form (which orphans every cache) is noticed
    assertThat(CacheKey.canonical(reference())).isEqualTo("""
        herd-base/1
        suite bookworm
        variant extract
        architecture amd64
        source deb http://deb.debian.org/debian bookworm main
        request busybox-static
        request libc6
        resolved busybox-static amd64 1:1.35.0-4+b3
        resolved libc6 amd64 2.36-9
        epoch 100
        """);
  }

  @Test
  void everyInputChangesTheKey() {
    String key = CacheKey.of(reference());
    assertThat(List.of(
        resolution(Base.Variant.MINBASE, List.of("busybox-static", "libc6"), List.of(BUSYBOX, LIBC), "http://deb.debian.org/debian", 100),
        resolution(Base.Variant.EXTRACT, List.of("busybox-static"), List.of(BUSYBOX, LIBC), "http://deb.debian.org/debian", 100),
        resolution(Base.Variant.EXTRACT, List.of("busybox-static", "libc6"),
            List.of(new DebianPackage("busybox-static", "1:1.35.0-4+b4", "amd64"), LIBC), "http://deb.debian.org/debian", 100),
        resolution(Base.Variant.EXTRACT, List.of("busybox-static", "libc6"), List.of(BUSYBOX, LIBC), "http://mirror.example/debian", 100),
        resolution(Base.Variant.EXTRACT, List.of("busybox-static", "libc6"), List.of(BUSYBOX, LIBC), "http://deb.debian.org/debian", 101)))
        .extracting(CacheKey::of)
        .doesNotContain(key)
        .doesNotHaveDuplicates();
  }
}
