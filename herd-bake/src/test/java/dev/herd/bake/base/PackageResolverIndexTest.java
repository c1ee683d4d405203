package dev.herd.bake.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.bake.run.ProcessRunner;
import dev.herd.spec.Base;
import dev.herd.spec.Location;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resolver takes an index another apt downloaded (an early mmdebstrap build's) instead of
 * downloading it again, and only when it is whole: real apt-get against a repository built here
 * (file: mirror, two suites).
 */
class PackageResolverIndexTest {
  static final String ARCH = BaseRecipe.hostArchitecture();
  @TempDir Path dir;
  Path repo;
  BaseRecipe recipe;

  @BeforeEach
  void repository() throws Exception {
    repo = dir.resolve("repo");
    publish("bookworm", "hello", "2.10-3");
    publish("bookworm-security", "hello", "2.10-3+deb12u1");
    Base.Debian debian = new Base.Debian("bookworm", Base.Variant.EXTRACT,
        "deb [trusted=yes] file:" + repo + " bookworm main\ndeb [trusted=yes] file:" + repo + " bookworm-security main",
        List.of("hello"), new Location(Path.of("herd.yaml"), 1, 1));
    recipe = BaseRecipe.base(debian, ARCH);
  }

  void publish(String suite, String name, String version) throws Exception {
    publish(suite, name, version, "Sat, 01 Mar 2025 12:00:00 UTC");
  }

  void publish(String suite, String name, String version, String date) throws Exception {
    byte[] packages = ("Package: " + name + "\nVersion: " + version + "\nArchitecture: " + ARCH
        + "\nMaintainer: Test <test@example.org>\nPriority: optional\nFilename: pool/main/" + name + "_" + version + ".deb"
        + "\nSize: 100\nSHA256: " + "0".repeat(64) + "\nDescription: fixture\n\n").getBytes(StandardCharsets.UTF_8);
    // gzip'd, as a real mirror's: apt unpacks it into its lists (an uncompressed one on a file:
    // mirror would be a symlink into the mirror, which follows the mirror's changes)
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
      out.write(packages);
    }
    Path dists = repo.resolve("dists").resolve(suite);
    Path file = dists.resolve("main/binary-" + ARCH + "/Packages.gz");
    Files.createDirectories(file.getParent());
    Files.write(file, gz.toByteArray());
    Files.writeString(dists.resolve("Release"), """
        Origin: Fixture
        Suite: %1$s
        Codename: %1$s
        Date: %7$s
        Architectures: %2$s
        Components: main
        SHA256:
         %3$s %4$d main/binary-%2$s/Packages.gz
         %5$s %6$d main/binary-%2$s/Packages
        """.formatted(suite, ARCH, sha256(gz.toByteArray()), gz.size(), sha256(packages), packages.length, date));
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  /** The lists directory of a resolver that downloaded the index itself, as mmdebstrap's apt leaves it. */
  Path downloadedBy(String name) throws IOException {
    new PackageResolver(dir.resolve(name), new ProcessRunner()).resolve(recipe);
    try (Stream<Path> states = Files.list(dir.resolve(name))) {
      return states.findFirst().orElseThrow().resolve("lists");
    }
  }

  static PackageResolver.Download ended(Path lists) {
    return new PackageResolver.Download(lists, () -> true);
  }

  @Test
  void aWholeIndexIsTakenAndNothingIsDownloaded() throws Exception {
    Path lists = downloadedBy("donor");
    // the mirror moves on after the donor's download: only an index taken from the donor still
    // resolves the old version, a download would see the new one
    publish("bookworm-security", "hello", "2.10-3+deb12u2", "Sun, 02 Mar 2025 12:00:00 UTC");
    PackageResolver resolver = new PackageResolver(dir.resolve("taker"), new ProcessRunner());
    Resolution taken = resolver.resolve(recipe, ended(lists));
    assertThat(resolver.indexesTaken()).isEqualTo(1);
    assertThat(taken.packages()).containsExactly(new DebianPackage("hello", "2.10-3+deb12u1", ARCH));
    assertThat(taken.releaseDate()).contains(java.time.Instant.parse("2025-03-01T12:00:00Z"));
    assertThat(resolver.hasNoIndex(recipe)).isFalse();
    // the taken index is this resolver's now: a later bake within the index's age reads it as is
    assertThat(new PackageResolver(dir.resolve("taker"), new ProcessRunner()).resolve(recipe).packages())
        .containsExactly(new DebianPackage("hello", "2.10-3+deb12u1", ARCH));
  }

  @Test
  void anIncompleteIndexIsNotTakenAndAptDownloads() throws Exception {
    Path lists = downloadedBy("donor");
    publish("bookworm-security", "hello", "2.10-3+deb12u2", "Sun, 02 Mar 2025 12:00:00 UTC");
    try (Stream<Path> files = Files.list(lists)) {
      // the security suite's Packages never arrived (mmdebstrap's download failed or was cut)
      for (Path f : files.filter(f -> f.getFileName().toString().contains("bookworm-security_main")).toList()) {
        Files.delete(f);
      }
    }
    PackageResolver resolver = new PackageResolver(dir.resolve("taker"), new ProcessRunner());
    assertThat(resolver.resolve(recipe, ended(lists)).packages())
        .containsExactly(new DebianPackage("hello", "2.10-3+deb12u2", ARCH));
    assertThat(resolver.indexesTaken()).isZero();

    // a source whose Release file never arrived is missing too (apt names no targets for it)
    try (Stream<Path> files = Files.list(lists)) {
      for (Path f : files.filter(f -> f.getFileName().toString().contains("bookworm-security_")).toList()) {
        Files.delete(f);
      }
    }
    PackageResolver another = new PackageResolver(dir.resolve("third"), new ProcessRunner());
    assertThat(another.resolve(recipe, ended(lists)).packages())
        .containsExactly(new DebianPackage("hello", "2.10-3+deb12u2", ARCH));
    assertThat(another.indexesTaken()).isZero();

    // and without a mirror to download from, the bake fails instead of resolving from half an index
    Files.move(repo, dir.resolve("repo-gone"));
    PackageResolver fourth = new PackageResolver(dir.resolve("fourth"), new ProcessRunner());
    assertThatThrownBy(() -> fourth.resolve(recipe, ended(lists))).isInstanceOf(BaseBuildException.class)
        .hasMessageContaining("cannot read the package index");
  }

  @Test
  void theResolverWaitsForADownloadUnderWayToBeWhole() throws Exception {
    Path lists = downloadedBy("donor");
    publish("bookworm-security", "hello", "2.10-3+deb12u2", "Sun, 02 Mar 2025 12:00:00 UTC");
    // the download "under way": its lists fill up while the resolver waits
    Path arriving = Files.createDirectories(dir.resolve("arriving"));
    java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
    PackageResolver resolver = new PackageResolver(dir.resolve("taker"), new ProcessRunner());
    java.util.concurrent.CompletableFuture<Resolution> resolving = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> resolver.resolve(recipe, new PackageResolver.Download(arriving, ended::get)));
    try (Stream<Path> files = Files.list(lists)) {
      // Release files first, then the Packages files, as apt moves them in
      for (Path f : files.filter(Files::isRegularFile).sorted(java.util.Comparator.comparing(f -> f.toString().endsWith("Packages"))).toList()) {
        assertThat(resolving).isNotDone();
        Files.copy(f, arriving.resolve(f.getFileName()));
      }
    }
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(resolving::isDone);
    ended.set(true);
    assertThat(resolving.join().packages()).containsExactly(new DebianPackage("hello", "2.10-3+deb12u1", ARCH));
    assertThat(resolver.indexesTaken()).isEqualTo(1);
  }

  @Test
  void noDownloadedIndexMeansAptDownloads() {
    PackageResolver resolver = new PackageResolver(dir.resolve("alone"), new ProcessRunner());
    assertThat(resolver.resolve(recipe, ended(dir.resolve("nothing-here"))).packages())
        .containsExactly(new DebianPackage("hello", "2.10-3+deb12u1", ARCH));
    assertThat(resolver.indexesTaken()).isZero();
  }
}
