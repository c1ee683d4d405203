package dev.herd.bake.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.bake.run.ProcessRunner;
import dev.herd.spec.Base;
import dev.herd.spec.Location;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real mmdebstrap against deb.debian.org: one extract base built cold, shared by the tests. */
class DebianBasesIT {
  static final Base.Debian BUSYBOX = new Base.Debian("bookworm", Base.Variant.EXTRACT, "http://deb.debian.org/debian",
      List.of("busybox-static"), new Location(Path.of("herd.yaml"), 3, 7));

  @TempDir static Path work;
  static DebianStages first;

  static DebianBases bases(String cacheName) {
    ProcessRunner runner = new ProcessRunner();
    return new DebianBases(new BaseCache(work.resolve(cacheName)), new PackageResolver(work.resolve(cacheName + "-apt"), runner), runner,
        BaseRecipe.hostArchitecture());
  }

  @BeforeAll
  static void buildOnce() {
    // figures for the docs: resolution against an empty and a warm index, then a cold build
    BaseRecipe recipe = BaseRecipe.base(BUSYBOX, BaseRecipe.hostArchitecture());
    long started = System.nanoTime();
    new PackageResolver(work.resolve("cache-a-apt"), new ProcessRunner()).resolve(recipe);
    System.out.println("resolution, empty index: " + (System.nanoTime() - started) / 1_000_000 + " ms");
    started = System.nanoTime();
    new PackageResolver(work.resolve("cache-a-apt"), new ProcessRunner()).resolve(recipe);
    System.out.println("resolution, warm index: " + (System.nanoTime() - started) / 1_000_000 + " ms");

    started = System.nanoTime();
    first = bases("cache-a").build("web", BUSYBOX, List.of(), Optional.empty(), false);
    System.out.println("extract busybox-static, resolve + build into empty cache: " + (System.nanoTime() - started) / 1_000_000 + " ms");
  }

  @Test
  void extractBaseHoldsBusyboxAndAStatusListingIt() {
    Path rootfs = first.base().rootfs();
    assertThat(rootfs.resolve("bin/busybox")).isRegularFile().isExecutable();
    assertThat(first.base().packages()).extracting(DebianPackage::name).contains("busybox-static");
    assertThat(DpkgDatabase.installed(rootfs)).isEqualTo(first.base().packages());
    assertThat(first.lock().packages()).containsKey("busybox-static");
    assertThat(first.lockChanged()).isTrue();
    // host-specific and build-only files are gone
    assertThat(rootfs.resolve("etc/resolv.conf")).doesNotExist();
    assertThat(rootfs.resolve("etc/hostname")).doesNotExist();
    assertThat(rootfs.resolve("etc/apt")).doesNotExist();
    assertThat(rootfs.resolve("var/lib/apt")).doesNotExist();
    assertThat(rootfs.resolve(RootfsCleanup.CONTROL_DROP)).doesNotExist();
    assertThat(rootfs.resolve("dev")).isEmptyDirectory();
    assertThat(first.base()).isSameAs(first.packages());
  }

  @Test
  void warmRebakeWithUnchangedResolutionIsACacheHit() {
    LockFile lock = LockFile.empty().with("web", first.lock());
    long started = System.nanoTime();
    DebianStages again = bases("cache-a").build("web", BUSYBOX, List.of(), Optional.of(lock), true);
    long warm = (System.nanoTime() - started) / 1_000_000;
    System.out.println("extract busybox-static warm (resolve + cache hit): " + warm + " ms");
    assertThat(again.base().cacheHit()).isTrue();
    assertThat(again.base().key()).isEqualTo(first.base().key());
    assertThat(again.lockChanged()).isFalse();
  }

  @Test
  void twoBuildsFromEmptyCachesGiveIdenticalTrees() {
    // cache-a resolved first (its index existed: a pinned build); cache-b has no index yet, so its
    // tree is built early, unpinned, while the resolver downloads: both must be the same tree
    long started = System.nanoTime();
    DebianBases b = bases("cache-b");
    DebianStages second = b.build("web", BUSYBOX, List.of(), Optional.empty(), false);
    System.out.println("extract busybox-static second cold build (early tree): " + (System.nanoTime() - started) / 1_000_000 + " ms");
    assertThat(b.earlyTreesUsed()).as("the early tree was used").isEqualTo(1);
    assertThat(second.base().cacheHit()).isFalse();
    try (java.util.stream.Stream<Path> left = java.nio.file.Files.list(work.resolve("cache-b"))) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(DebianBases.EARLY_PREFIX));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(second.base().rootfs()).isNotEqualTo(first.base().rootfs());
    assertThat(TreeListing.of(second.base().rootfs())).isEqualTo(TreeListing.of(first.base().rootfs())).isNotEmpty();
  }

  @Test
  void lockedBakeFailsOnTamperedLockListingTheDifference() {
    TreeMap<String, String> tampered = new TreeMap<>(first.lock().packages());
    String real = tampered.put("busybox-static", "1:1.0-1");
    RoleLock lock = new RoleLock(first.lock().suite(), first.lock().variant(), first.lock().architecture(), first.lock().sources(),
        first.lock().releaseDate(), tampered);

    assertThatThrownBy(() -> bases("cache-a").build("web", BUSYBOX, List.of(), Optional.of(LockFile.empty().with("web", lock)), true))
        .isInstanceOf(LockMismatchException.class)
        .hasMessageContaining("herd.yaml:3:7")
        .hasMessageContaining("busybox-static: locked 1:1.0-1, resolved " + real);
  }

  @Test
  void lockedBakeFailsWithoutALock() {
    assertThatThrownBy(() -> bases("cache-a").build("web", BUSYBOX, List.of(), Optional.empty(), true))
        .isInstanceOf(LockMismatchException.class)
        .hasMessageContaining("herd.lock does not exist");
    assertThatThrownBy(() -> bases("cache-a").build("api", BUSYBOX, List.of(), Optional.of(LockFile.empty().with("web", first.lock())), true))
        .hasMessageContaining("no entry for role api");
  }

  @Test
  void halfWrittenEntryIsRebuiltNotUsed() throws Exception {
    Path cache = work.resolve("cache-c");
    Files.createDirectories(cache.resolve(first.base().key()).resolve("rootfs/bin"));
    DebianStages built = bases("cache-c").build("web", BUSYBOX, List.of(), Optional.empty(), false);
    assertThat(built.base().cacheHit()).isFalse();
    assertThat(built.base().rootfs().resolve("bin/busybox")).exists();
    assertThat(Files.exists(cache.resolve(first.base().key()).resolve("entry.json"), LinkOption.NOFOLLOW_LINKS)).isTrue();
  }
}
