package dev.herd.bake.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.spec.Base;
import dev.herd.spec.Location;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoleLockTest {
  static final Location AT = new Location(Path.of("herd.yaml"), 4, 5);

  static Resolution resolution(List<String> requested, DebianPackage... packages) {
    BaseRecipe recipe = new BaseRecipe("bookworm", Base.Variant.EXTRACT, "amd64", List.of("deb http://deb.debian.org/debian bookworm main"),
        requested, AT);
    return new Resolution(recipe, List.of(packages), Optional.of(Instant.parse("2025-05-17T09:00:00Z")));
  }

  static final DebianPackage BUSYBOX = new DebianPackage("busybox-static", "1:1.35.0-4+b3", "amd64");
  static final DebianPackage LIBC = new DebianPackage("libc6", "2.36-9+deb12u10", "amd64");

  @Test
  void lockWrittenAndReadBackIsEqualAndStableText(@TempDir Path dir) throws Exception {
    LockFile lock = LockFile.empty().with("web", RoleLock.of(resolution(List.of("busybox-static", "libc6"), LIBC, BUSYBOX)))
        .with("api", RoleLock.of(resolution(List.of("libc6"), LIBC)));
    Path file = dir.resolve("herd.lock");
    lock.write(file);

    assertThat(LockFile.read(file)).contains(lock);
    String text = Files.readString(file);
    assertThat(text.indexOf("\"api\"")).isLessThan(text.indexOf("\"web\""));
    assertThat(text).contains("\"busybox-static\" : \"1:1.35.0-4+b3\"").contains("\"releaseDate\" : \"2025-05-17T09:00:00Z\"").endsWith("}\n");
    assertThat(LockFile.read(file).orElseThrow().toJson()).isEqualTo(text);
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void missingLockReadsAsEmptyAndBrokenLockNamesTheFile(@TempDir Path dir) throws Exception {
    assertThat(LockFile.read(dir.resolve("herd.lock"))).isEmpty();
    Files.writeString(dir.resolve("herd.lock"), "{\"lockVersion\": 1, \"roles\": [");
    assertThatThrownBy(() -> LockFile.read(dir.resolve("herd.lock"))).hasMessageContaining("herd.lock");
    Files.writeString(dir.resolve("herd.lock"), "{\"lockVersion\": 7, \"roles\": {}}");
    assertThatThrownBy(() -> LockFile.read(dir.resolve("herd.lock"))).hasMessageContaining("version 7");
  }

  @Test
  void differencesNameEachPackageWithBothVersions() {
    RoleLock locked = RoleLock.of(resolution(List.of("busybox-static"), BUSYBOX, LIBC));
    Resolution now = resolution(List.of("busybox-static"),
        new DebianPackage("busybox-static", "1:1.35.0-4+b4", "amd64"), new DebianPackage("libzstd1", "1.5.4", "amd64"));

    assertThat(locked.differences(now)).containsExactly(
        "busybox-static: locked 1:1.35.0-4+b3, resolved 1:1.35.0-4+b4",
        "libc6: locked 2.36-9+deb12u10, no longer resolved",
        "libzstd1: not locked, resolved 1.5.4");
    assertThat(locked.differences(resolution(List.of("busybox-static"), LIBC, BUSYBOX))).isEmpty();
  }

  @Test
  void changedSuiteIsADifference() {
    RoleLock locked = RoleLock.of(resolution(List.of("libc6"), LIBC));
    BaseRecipe trixie = new BaseRecipe("trixie", Base.Variant.EXTRACT, "amd64", List.of("deb http://deb.debian.org/debian trixie main"),
        List.of("libc6"), AT);
    assertThat(locked.differences(new Resolution(trixie, List.of(LIBC), Optional.empty())))
        .contains("suite: locked bookworm, spec has trixie");
  }

  @Test
  void baseStageMayHoldFewerPackagesButNoOtherVersions() {
    RoleLock locked = RoleLock.of(resolution(List.of("busybox-static", "libc6"), BUSYBOX, LIBC));
    assertThat(locked.subsetDifferences(resolution(List.of("libc6"), LIBC))).isEmpty();
    assertThat(locked.subsetDifferences(resolution(List.of("libc6"), new DebianPackage("libc6", "2.36-9+deb12u11", "amd64"))))
        .containsExactly("libc6: locked 2.36-9+deb12u10, resolved 2.36-9+deb12u11");
  }
}
