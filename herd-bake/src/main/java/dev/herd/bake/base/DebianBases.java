package dev.herd.bake.base;

import dev.herd.bake.run.ProcessRunner;
import dev.herd.spec.Base;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves, locks and builds (or finds in the cache) the Debian stages of a role.
 *
 * <p>Without {@code --locked} every bake resolves the newest versions (so security fixes arrive
 * by rebaking) and the returned lock entry records them; with {@code --locked} the resolution
 * must equal herd.lock or the bake stops, listing each difference. The tree's epoch is the
 * Release date recorded in the lock while the packages stay the same, so a mirror that only
 * re-signs its Release file does not change the image.
 */
public final class DebianBases {
  private static final Logger LOG = LoggerFactory.getLogger(DebianBases.class);
  /** Early trees are built under the base cache, beside its entries, so they move in by a rename. */
  static final String EARLY_PREFIX = "early-";

  private final BaseCache cache;
  private final PackageResolver resolver;
  private final Mmdebstrap mmdebstrap;
  private final String architecture;
  /** How many early trees were used (for tests and the log). */
  private final java.util.concurrent.atomic.AtomicInteger earlyUsed = new java.util.concurrent.atomic.AtomicInteger();

  public DebianBases(BaseCache cache, PackageResolver resolver, ProcessRunner runner, String architecture) {
    this.cache = cache;
    this.resolver = resolver;
    this.mmdebstrap = new Mmdebstrap(runner);
    this.architecture = architecture;
  }

  /** Caches under {@code $XDG_CACHE_HOME/herd} ({@code bases/}, {@code apt/}) for this host's architecture. */
  public static DebianBases standard() {
    ProcessRunner runner = new ProcessRunner();
    return new DebianBases(new BaseCache(BaseCache.defaultRoot()),
        new PackageResolver(BaseCache.herdCacheHome().resolve("apt"), runner), runner, BaseRecipe.hostArchitecture());
  }

  /**
   * @param role the role's name (the lock is per role)
   * @param rolePackages the role's own {@code packages:}
   * @param lock herd.lock as read, if there is one
   * @param locked whether the bake runs with {@code --locked}
   */
  public DebianStages build(String role, Base.Debian debian, List<String> rolePackages, Optional<LockFile> lock, boolean locked) {
    BaseRecipe baseRecipe = BaseRecipe.base(debian, architecture);
    BaseRecipe fullRecipe = BaseRecipe.withRolePackages(debian, rolePackages, architecture);
    Optional<RoleLock> previous = lock.flatMap(l -> l.role(role));
    if (locked && previous.isEmpty()) {
      throw new LockMismatchException(debian.location() + ": --locked, but "
          + (lock.isEmpty() ? LockFile.FILE_NAME + " does not exist" : LockFile.FILE_NAME + " has no entry for role " + role)
          + "; bake once without --locked to write it", List.of());
    }
    Optional<Mmdebstrap.Early> early = startEarly(baseRecipe, fullRecipe);
    try {
      return build(role, previous, locked, debian, baseRecipe, fullRecipe, early);
    } finally {
      early.ifPresent(Mmdebstrap.Early::discard);
    }
  }

  /**
   * A first bake with these sources on this machine downloads the whole package index before it
   * can resolve; an extract tree (its packages' files, nothing decided per install) is then
   * built at the same time, unpinned, and used only if it holds exactly the resolved versions.
   * Its mmdebstrap downloads the index once for both: the resolver waits for it and resolves
   * while mmdebstrap downloads and unpacks the packages.
   */
  private Optional<Mmdebstrap.Early> startEarly(BaseRecipe baseRecipe, BaseRecipe fullRecipe) {
    if (!baseRecipe.equals(fullRecipe) || fullRecipe.variant() != Base.Variant.EXTRACT || !resolver.hasNoIndex(fullRecipe)) {
      return Optional.empty();
    }
    try {
      java.nio.file.Files.createDirectories(cache.root());
      sweepEarlyLeftovers();
      Path dir = java.nio.file.Files.createTempDirectory(cache.root(), EARLY_PREFIX);
      LOG.info("{} base {}: no package index yet; building the tree while resolving", fullRecipe.suite(),
          fullRecipe.variant().name().toLowerCase());
      return Optional.of(mmdebstrap.startEarly(fullRecipe, dir.resolve("rootfs")));
    } catch (java.io.IOException e) {
      return Optional.empty(); // only speed is lost
    }
  }

  /** Early trees of a bake that was killed: removed a day later (a build may still be finishing). */
  private void sweepEarlyLeftovers() throws java.io.IOException {
    Instant dayAgo = Instant.now().minus(java.time.Duration.ofDays(1));
    try (java.util.stream.Stream<Path> dirs = java.nio.file.Files.list(cache.root())) {
      for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith(EARLY_PREFIX)).toList()) {
        if (java.nio.file.Files.getLastModifiedTime(dir).toInstant().isBefore(dayAgo)) {
          Trees.deleteRecursively(dir);
        }
      }
    }
  }

  private DebianStages build(String role, Optional<RoleLock> previous, boolean locked, Base.Debian debian, BaseRecipe baseRecipe,
      BaseRecipe fullRecipe, Optional<Mmdebstrap.Early> early) {
    // an early build (same recipe) downloads the index anyway: the resolver takes it from there
    Resolution full = early.isPresent() ? resolver.resolve(fullRecipe, early.get().download()) : resolver.resolve(fullRecipe);
    Resolution base = baseRecipe.equals(fullRecipe) ? full : resolver.resolve(baseRecipe);

    if (locked) {
      RoleLock pinned = previous.orElseThrow();
      LinkedHashSet<String> differences = new LinkedHashSet<>(pinned.differences(full));
      differences.addAll(pinned.subsetDifferences(base));
      if (!differences.isEmpty()) {
        throw new LockMismatchException(debian.location() + ": role " + role + " resolves differently from " + LockFile.FILE_NAME
            + " (--locked)", new ArrayList<>(differences));
      }
    }

    Optional<Instant> epoch = previous.filter(p -> p.differences(full).isEmpty()).flatMap(DebianBases::lockedDate)
        .or(full::releaseDate);
    Resolution fullAtEpoch = full.at(epoch);
    Resolution baseAtEpoch = base.at(epoch);

    BuiltBase packagesStage = build(fullAtEpoch, early);
    BuiltBase baseStage = baseRecipe.equals(fullRecipe) ? packagesStage : build(baseAtEpoch);
    RoleLock entry = RoleLock.of(fullAtEpoch);
    return new DebianStages(baseStage, packagesStage, entry, previous.map(p -> !p.equals(entry)).orElse(true), full.security());
  }

  /** Builds one stage, or finds it in the cache. */
  public BuiltBase build(Resolution resolution) {
    return build(resolution, Optional.empty());
  }

  private BuiltBase build(Resolution resolution, Optional<Mmdebstrap.Early> early) {
    String key = CacheKey.of(resolution);
    boolean[] built = {false};
    long started = System.nanoTime();
    BaseCache.CachedTree tree = cache.getOrBuild(key, rootfs -> {
      built[0] = true;
      Optional<List<DebianPackage>> ready = early.filter(e -> e.recipe().equals(resolution.recipe()))
          .flatMap(e -> adopt(e, resolution, rootfs));
      if (ready.isPresent()) {
        earlyUsed.incrementAndGet();
        return ready.get();
      }
      mmdebstrap.build(resolution, rootfs);
      List<DebianPackage> installed = DpkgDatabase.installed(rootfs);
      List<String> drift = drift(resolution.packages(), installed);
      if (!drift.isEmpty()) {
        // the mirror changed between resolving and building; the tree is not what was resolved
        throw new BaseBuildException(resolution.recipe().location() + ": the built tree differs from the resolution:\n  "
            + String.join("\n  ", drift));
      }
      return installed;
    });
    BaseRecipe recipe = resolution.recipe();
    LOG.info("{} base {} {} with {} packages: {} ({} ms)", recipe.suite(), recipe.variant().name().toLowerCase(), key.substring(0, 12),
        tree.packages().size(), built[0] ? "built" : "cached", (System.nanoTime() - started) / 1_000_000);
    return new BuiltBase(key, tree.rootfs(), tree.packages(), resolution.epoch(), !built[0]);
  }

  /** How many trees this instance took from an early (unpinned, alongside the resolver) build. */
  int earlyTreesUsed() {
    return earlyUsed.get();
  }

  /** The early tree as {@code rootfs} when it holds exactly the resolved versions; else empty (built again, pinned). */
  private static Optional<List<DebianPackage>> adopt(Mmdebstrap.Early early, Resolution resolution, Path rootfs) {
    Optional<List<DebianPackage>> installed = early.finish(resolution.epoch());
    if (installed.isEmpty()) {
      LOG.info("{} base: the early build failed; building again from the resolution", resolution.recipe().suite());
      return Optional.empty();
    }
    List<String> drift = drift(resolution.packages(), installed.get());
    if (!drift.isEmpty()) {
      LOG.info("{} base: the early build differs from the resolution ({}); building again from it", resolution.recipe().suite(),
          String.join("; ", drift));
      return Optional.empty();
    }
    try {
      java.nio.file.Files.move(early.tree(), rootfs);
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
    return installed;
  }

  static List<String> drift(List<DebianPackage> resolved, List<DebianPackage> installed) {
    Map<String, String> want = new TreeMap<>();
    resolved.forEach(p -> want.put(p.name(), p.version()));
    Map<String, String> have = new TreeMap<>();
    installed.forEach(p -> have.put(p.name(), p.version()));
    List<String> out = new ArrayList<>();
    want.forEach((name, version) -> {
      if (!version.equals(have.get(name))) {
        out.add(name + ": resolved " + version + ", installed " + have.getOrDefault(name, "nothing"));
      }
    });
    have.forEach((name, version) -> {
      if (!want.containsKey(name)) {
        out.add(name + ": not resolved, installed " + version);
      }
    });
    return out;
  }

  private static Optional<Instant> lockedDate(RoleLock lock) {
    try {
      return Optional.ofNullable(lock.releaseDate()).map(Instant::parse);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
