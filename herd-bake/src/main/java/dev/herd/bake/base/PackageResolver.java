package dev.herd.bake.base;

import dev.herd.bake.run.ProcessResult;
import dev.herd.bake.run.ProcessRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns which package versions a recipe resolves to without building anything: runs the host's
 * apt-get against a private state directory (index files only, no host configuration, no
 * installed packages) and reads {@code apt-get --simulate}. A warm index costs one conditional
 * download of the Release files, so every bake sees the newest (security) versions cheaply.
 */
public final class PackageResolver {
  private static final Logger LOG = LoggerFactory.getLogger(PackageResolver.class);
  /** {@code Inst name [old] (version release [arch])} as printed by apt-get --simulate. */
  private static final Pattern INST = Pattern.compile("^Inst (\\S+) (?:\\[[^\\]]*\\] )?\\((\\S+) .*\\[([^\\]]+)\\]\\)");
  private static final Duration UPDATE_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration SIMULATE_TIMEOUT = Duration.ofMinutes(2);

  private static final Map<Path, Object> MONITORS = new java.util.concurrent.ConcurrentHashMap<>();

  private final Path stateRoot;
  private final ProcessRunner runner;
  /** Index directories refreshed by this resolver: one bake downloads each index once. */
  private final java.util.Set<Path> refreshed = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();

  /**
   * How old a downloaded package index may be before a bake downloads it again. Security
   * updates reach a bake at most this late; {@code herd bake --refresh} sets it to zero.
   * Within it, a rebake resolves from the saved index and the saved simulation: no network, no
   * apt process, so a no-op rebake takes well under a second.
   */
  public static final String INDEX_MAX_AGE_PROPERTY = "herd.index.maxAge";

  static Duration indexMaxAge() {
    String v = System.getProperty(INDEX_MAX_AGE_PROPERTY, System.getenv().getOrDefault("HERD_INDEX_MAX_AGE", "PT10M"));
    try {
      return Duration.parse(v);
    } catch (java.time.format.DateTimeParseException e) {
      throw new BaseBuildException("HERD_INDEX_MAX_AGE must be an ISO-8601 duration like PT10M, got \"" + v + "\"");
    }
  }

  private static boolean fresh(Path stamp) {
    try {
      return Files.isRegularFile(stamp)
          && Files.getLastModifiedTime(stamp).toInstant().plus(indexMaxAge()).isAfter(Instant.now());
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * @param stateRoot where index files are kept between bakes (e.g. ~/.cache/herd/apt). Each
   *     instance refreshes an index once, so use one resolver per bake.
   */
  public PackageResolver(Path stateRoot, ProcessRunner runner) {
    this.stateRoot = stateRoot;
    this.runner = runner;
  }

  public Resolution resolve(BaseRecipe recipe) {
    return resolve(recipe, Map.of());
  }

  /**
   * @param pins versions to ask for ({@code name=version}); others resolve to the newest
   */
  public Resolution resolve(BaseRecipe recipe, Map<String, String> pins) {
    return resolve(recipe, pins, Optional.empty());
  }

  /**
   * Another apt's download of the same sources (an early mmdebstrap build's), perhaps still
   * under way.
   *
   * @param lists the directory its apt moves each index file into once verified
   * @param ended whether it has ended (no more files will come)
   */
  public record Download(Path lists, java.util.function.BooleanSupplier ended) {}

  /**
   * As {@link #resolve(BaseRecipe)}, but when the index has to be downloaded, waits for {@code
   * download} to hold the whole index instead and links its files in. When it ends without
   * (a source failed, say), apt downloads as usual. So a first bake fetches the index once.
   */
  public Resolution resolve(BaseRecipe recipe, Download download) {
    return resolve(recipe, Map.of(), Optional.of(download));
  }

  private Resolution resolve(BaseRecipe recipe, Map<String, String> pins, Optional<Download> download) {
    Path state = prepareState(recipe);
    // apt runs without its own locking on this private tree; bakes sharing it take turns
    synchronized (MONITORS.computeIfAbsent(state, s -> new Object())) {
      try (FileChannel lockFile = FileChannel.open(state.resolve(".resolve.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = lockFile.lock()) {
        if (!refreshed.contains(state) && !fresh(state.resolve(".updated"))) {
          download.ifPresent(d -> takeIndex(recipe, state, d));
        }
        return resolveLocked(recipe, pins, state);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot lock " + state + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * What a bake would install now, newest versions, with the suites each comes from: downloads
   * the index first whatever its age (once per resolver), so the answer is about the mirror as
   * it is now. For {@code herd outdated} and scheduled rebakes.
   */
  public List<Candidate> candidates(BaseRecipe recipe) {
    Path state = prepareState(recipe);
    synchronized (MONITORS.computeIfAbsent(state, s -> new Object())) {
      try (FileChannel lockFile = FileChannel.open(state.resolve(".resolve.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = lockFile.lock()) {
        return parseCandidates(simulation(recipe, Map.of(), state, true));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot lock " + state + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * One package of a simulated install.
   *
   * @param suites the archives offering this version, as apt names them ({@code Debian-Security:12/stable-security})
   */
  public record Candidate(DebianPackage pkg, List<String> suites) {
    public Candidate {
      java.util.Objects.requireNonNull(pkg, "pkg");
      suites = List.copyOf(suites);
    }

    /** Offered by a security archive (a suite named {@code *-security}, as Debian's bookworm-security). */
    public boolean security() {
      return suites.stream().anyMatch(s -> s.endsWith("-security"));
    }
  }

  private Resolution resolveLocked(BaseRecipe recipe, Map<String, String> pins, Path state) {
    String simulated = simulation(recipe, pins, state, false);
    List<DebianPackage> packages = parseSimulation(simulated);
    java.util.Set<DebianPackage> security = new java.util.HashSet<>();
    parseCandidates(simulated).stream().filter(Candidate::security).forEach(c -> security.add(c.pkg()));
    return new Resolution(recipe, packages, releaseDate(state.resolve("lists")), Optional.of(state.resolve("lists")), security);
  }

  private String simulation(BaseRecipe recipe, Map<String, String> pins, Path state, boolean refresh) {
    Map<String, String> env = aptEnvironment(state);
    Duration updateTook = Duration.ZERO;
    Path stamp = state.resolve(".updated");
    if (!refreshed.contains(state) && (refresh || !fresh(stamp))) {
      ProcessResult update = runner.run(List.of("apt-get", "-q", "update"), env, UPDATE_TIMEOUT);
      // apt-get update exits 0 even when a source failed; its "W:/E:" lines tell the truth
      if (!update.succeeded() || update.stderr().lines().anyMatch(l -> l.startsWith("E:") || l.startsWith("W: Failed"))) {
        throw new BaseBuildException(recipe.location() + ": cannot read the package index of " + recipe.sources() + "\n" + update.tail(8));
      }
      refreshed.add(state);
      updateTook = update.took();
      touch(stamp);
    }
    List<String> command = new ArrayList<>(List.of("apt-get", "--simulate", "-q", "install"));
    if (recipe.variant() == dev.herd.spec.Base.Variant.MINBASE) {
      // what mmdebstrap's minbase variant installs before the requested packages
      command.addAll(List.of("?essential", "?priority(required)", "apt"));
    }
    for (String name : recipe.packages()) {
      command.add(pins.containsKey(name) ? name + "=" + pins.get(name) : name);
    }
    // The simulation depends only on the index and the command: keep it beside the index.
    Path saved = state.resolve("simulate-" + HexFormat.of().formatHex(CacheKey.sha256(String.join("\u0000", command))) + ".txt");
    String stdout;
    Duration simulateTook = Duration.ZERO;
    if (Files.isRegularFile(saved) && isNewer(saved, stamp)) {
      stdout = read(saved);
    } else {
      ProcessResult simulate = runner.run(command, env, SIMULATE_TIMEOUT);
      if (!simulate.succeeded()) {
        throw new BaseBuildException(recipe.location() + ": packages " + recipe.packages() + " do not resolve in " + recipe.suite()
            + "\n" + simulate.tail(10));
      }
      stdout = simulate.stdout();
      simulateTook = simulate.took();
      write(saved, stdout);
    }
    LOG.info("resolved packages for {} {} in {} ms", recipe.suite(), recipe.variant().name().toLowerCase(),
        updateTook.plus(simulateTook).toMillis());
    return stdout;
  }

  /** How many indexes this resolver took from another apt's download instead of downloading them. */
  int indexesTaken() {
    return taken.get();
  }

  /**
   * Waits until {@code download} holds the whole index of the recipe's sources, links (or
   * copies) its files into this state and keeps them. Whole means: each source's Release file
   * and each index file it names that apt fetches ({@link #missingIndexFiles}, over the targets
   * {@code apt-get indextargets} names for these sources). apt moves a downloaded file into its
   * lists directory only once verified against the signed Release file, so a file that is there
   * is whole. A download that ends without the whole index leaves this state as it was.
   */
  private void takeIndex(BaseRecipe recipe, Path state, Download download) {
    // every index file apt could want (whatever the Release files say), with the key it has there
    ProcessResult targets = runner.run(List.of("apt-get", "indextargets", "--no-release-info", "--format", "$(FILENAME) $(METAKEY)"),
        aptEnvironment(state), SIMULATE_TIMEOUT);
    if (!targets.succeeded() || targets.stdout().isBlank()) {
      return;
    }
    Map<String, ReleaseFile> releases = new java.util.HashMap<>();
    java.util.Set<String> missing = missingIndexFiles(targets.stdout(), download.lists(), releases);
    while (!missing.isEmpty() && !download.ended().getAsBoolean()) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      missing = missingIndexFiles(targets.stdout(), download.lists(), releases);
    }
    if (!missing.isEmpty()) {
      missing = missingIndexFiles(targets.stdout(), download.lists(), releases); // the last files may have come with its end
    }
    if (!missing.isEmpty()) {
      LOG.info("{}: mmdebstrap's download ended without the whole package index (missing {}); downloading it", recipe.suite(), missing);
      return;
    }
    Path into = state.resolve("lists");
    List<Path> linked = new ArrayList<>();
    try (Stream<Path> files = Files.list(download.lists())) {
      // (apt's file: method leaves a symlink to an uncompressed index: linked as it is)
      for (Path file : files.filter(f -> Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(f))
          .filter(f -> !f.getFileName().toString().equals("lock")).toList()) {
        Path to = into.resolve(file.getFileName().toString());
        Files.deleteIfExists(to);
        try {
          Files.createLink(to, file);
        } catch (IOException | UnsupportedOperationException e) {
          Files.copy(file, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
        linked.add(to);
      }
    } catch (IOException e) {
      LOG.info("{}: cannot take the package index from {} ({}); downloading it", recipe.suite(), download.lists(), e.getMessage());
      // apt downloads into a clean state, not against Release files of another download
      forget(linked);
      return;
    }
    refreshed.add(state);
    touch(state.resolve(".updated"));
    taken.incrementAndGet();
    LOG.info("{}: package index taken from mmdebstrap's download ({} files), not downloaded again", recipe.suite(), linked.size());
  }

  /**
   * Of {@code apt-get indextargets --no-release-info} output ({@code FILE METAKEY} per line), the
   * files a complete download into {@code lists} has and this one lacks: each source's Release file ({@code
   * InRelease} or {@code Release}), and each index file its Release file names (under any
   * compression) — binary-all ones not when it says {@code No-Support-for-Architecture-all:
   * Packages} or leaves "all" out of its architectures, as apt then does not fetch them either.
   * Names of files, for the log.
   */
  static java.util.Set<String> missingIndexFiles(String targets, Path lists) {
    return missingIndexFiles(targets, lists, new java.util.HashMap<>());
  }

  /** @param releases Release files read so far, by their path without "InRelease"/"Release" (a file there does not change) */
  private static java.util.Set<String> missingIndexFiles(String targets, Path lists, Map<String, ReleaseFile> releases) {
    java.util.Set<String> missing = new java.util.TreeSet<>();
    for (String line : targets.lines().map(String::strip).filter(l -> l.indexOf(' ') > 0).toList()) {
      // apt names the files in this resolver's lists directory; the same names are looked for in lists
      String file = lists.resolve(Path.of(line.substring(0, line.lastIndexOf(' '))).getFileName()).toString();
      String metaKey = line.substring(line.lastIndexOf(' ') + 1);
      String flat = metaKey.replace('/', '_');
      if (!file.endsWith(flat)) {
        missing.add(Path.of(file).getFileName().toString());
        continue;
      }
      String prefix = file.substring(0, file.length() - flat.length());
      Optional<ReleaseFile> release = Optional.ofNullable(releases.get(prefix)).or(() -> readRelease(prefix));
      release.ifPresent(r -> releases.put(prefix, r));
      if (release.isEmpty()) {
        missing.add(Path.of(prefix + "Release").getFileName().toString());
      } else if (release.get().fetches(metaKey) && !Files.isRegularFile(Path.of(file))) {
        missing.add(Path.of(file).getFileName().toString());
      }
    }
    return missing;
  }

  private static Optional<ReleaseFile> readRelease(String prefix) {
    for (String name : List.of("InRelease", "Release")) {
      Path file = Path.of(prefix + name);
      if (Files.isRegularFile(file)) {
        try {
          return Optional.of(ReleaseFile.parse(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException | java.io.UncheckedIOException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  /**
   * What a Release file says about the index files of its suite: their names (compressed ones
   * also under their plain name), its {@code Architectures:} (empty when it has none) and whether
   * it says {@code No-Support-for-Architecture-all: Packages}. Parsed once per file.
   */
  record ReleaseFile(java.util.Set<String> files, java.util.Set<String> architectures, boolean noArchAll) {
    private static final Pattern BINARY = Pattern.compile("/binary-([^/]+)/");
    private static final List<String> COMPRESSIONS = List.of(".xz", ".gz", ".bz2", ".lzma", ".zst", ".lz4");

    static ReleaseFile parse(String text) {
      java.util.Set<String> files = new java.util.HashSet<>();
      java.util.Set<String> architectures = new java.util.HashSet<>();
      boolean noArchAll = false;
      for (String line : text.split("\n")) {
        if (line.startsWith(" ")) {
          String[] f = line.strip().split("\\s+");
          if (f.length == 3) {
            files.add(f[2]);
            COMPRESSIONS.stream().filter(f[2]::endsWith).findFirst()
                .ifPresent(c -> files.add(f[2].substring(0, f[2].length() - c.length())));
          }
        } else if (line.startsWith("Architectures:")) {
          architectures.addAll(List.of(line.substring("Architectures:".length()).strip().split("\\s+")));
        } else if (line.strip().equals("No-Support-for-Architecture-all: Packages")) {
          noArchAll = true;
        }
      }
      return new ReleaseFile(java.util.Set.copyOf(files), java.util.Set.copyOf(architectures), noArchAll);
    }

    /**
     * Whether apt fetches {@code metaKey} (plain or compressed) for this suite: listed, and not a
     * {@code binary-ARCH} index of an architecture the Release file leaves out (nor binary-all
     * when it says there is none).
     */
    boolean fetches(String metaKey) {
      Matcher binary = BINARY.matcher(metaKey);
      if (binary.find()) {
        String arch = binary.group(1);
        if (!architectures.isEmpty() && !architectures.contains(arch) || arch.equals("all") && noArchAll) {
          return false;
        }
      }
      return files.contains(metaKey);
    }
  }

  private static void forget(List<Path> files) {
    for (Path f : files) {
      try {
        Files.deleteIfExists(f);
      } catch (IOException e) {
        // apt's download replaces it
      }
    }
  }

  private static Map<String, String> aptEnvironment(Path state) {
    return Map.of("APT_CONFIG", state.resolve("apt.conf").toString(), "LC_ALL", "C.UTF-8");
  }

  private static void touch(Path stamp) {
    try {
      Files.deleteIfExists(stamp);
      Files.createFile(stamp);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + stamp, e);
    }
  }

  private static boolean isNewer(Path file, Path than) {
    try {
      return Files.isRegularFile(than)
          && Files.getLastModifiedTime(file).compareTo(Files.getLastModifiedTime(than)) >= 0;
    } catch (IOException e) {
      return false;
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static void write(Path file, String text) {
    try {
      Path tmp = Files.createTempFile(file.getParent(), "simulate", ".tmp");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  static List<DebianPackage> parseSimulation(String stdout) {
    List<DebianPackage> packages = new ArrayList<>();
    for (String line : stdout.split("\n")) {
      Matcher m = INST.matcher(line);
      if (m.find()) {
        String name = m.group(1);
        int colon = name.indexOf(':');
        packages.add(new DebianPackage(colon < 0 ? name : name.substring(0, colon), m.group(2), m.group(3)));
      }
    }
    return packages;
  }

  static List<Candidate> parseCandidates(String stdout) {
    List<Candidate> out = new ArrayList<>();
    for (String line : stdout.split("\n")) {
      Matcher m = INST.matcher(line);
      if (m.find()) {
        String name = m.group(1);
        int colon = name.indexOf(':');
        // "(VERSION ARCHIVE, ARCHIVE [ARCH])": the archives sit between the version and the arch
        String inside = line.substring(m.start(2), m.start(3) - 1);
        String archives = inside.substring(inside.indexOf(' ') + 1).strip();
        List<String> suites = archives.isEmpty() ? List.of()
            : java.util.Arrays.stream(archives.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        out.add(new Candidate(new DebianPackage(colon < 0 ? name : name.substring(0, colon), m.group(2), m.group(3)), suites));
      }
    }
    return out;
  }

  /** The newest Date of the downloaded Release files; Release dates are RFC 1123 in UTC. */
  static Optional<Instant> releaseDate(Path lists) {
    if (!Files.isDirectory(lists)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(lists)) {
      Optional<Instant> newest = Optional.empty();
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith("Release")).sorted().toList()) {
        Optional<Instant> date = releaseDate(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        if (date.isPresent() && (newest.isEmpty() || date.get().isAfter(newest.get()))) {
          newest = date;
        }
      }
      return newest;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Optional<Instant> releaseDate(String releaseText) {
    for (String line : releaseText.split("\n")) {
      if (line.startsWith("Date:")) {
        try {
          // Debian writes "UTC" where RFC 1123 (and Java's parser) says "GMT"
          String date = line.substring(5).strip().replaceFirst(" UTC$", " GMT");
          return Optional.of(ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Whether this resolver has never downloaded the index of the recipe's sources (a first bake
   * with them on this machine): its resolution then starts with a full download.
   */
  public boolean hasNoIndex(BaseRecipe recipe) {
    Path lists = stateOf(recipe).resolve("lists");
    if (!Files.isDirectory(lists)) {
      return true;
    }
    try (Stream<Path> files = Files.list(lists)) {
      return files.noneMatch(f -> f.getFileName().toString().endsWith("_Packages"));
    } catch (IOException e) {
      return true;
    }
  }

  private Path stateOf(BaseRecipe recipe) {
    String id = HexFormat.of().formatHex(CacheKey.sha256(recipe.architecture() + "\n" + String.join("\n", recipe.sources()))).substring(0, 16);
    return stateRoot.resolve(id);
  }

  /** A private apt tree per source list, so different mirrors never share or clobber indexes. */
  private Path prepareState(BaseRecipe recipe) {
    Path state = stateOf(recipe);
    try {
      for (String dir : List.of("lists/partial", "cache/archives/partial", "etc/apt.conf.d", "etc/sources.list.d", "etc/preferences.d")) {
        Files.createDirectories(state.resolve(dir));
      }
      Files.writeString(state.resolve("status"), "");
      Files.writeString(state.resolve("sources.list"), String.join("\n", recipe.sources()) + "\n");
      String conf = """
          Dir "/";
          Dir::Etc::sourcelist "%1$s/sources.list";
          Dir::Etc::sourceparts "%1$s/etc/sources.list.d";
          Dir::Etc::parts "%1$s/etc/apt.conf.d";
          Dir::Etc::preferences "%1$s/etc/preferences";
          Dir::Etc::preferencesparts "%1$s/etc/preferences.d";
          Dir::State "%1$s";
          Dir::State::lists "%1$s/lists";
          Dir::State::status "%1$s/status";
          Dir::Cache "%1$s/cache";
          APT::Architecture "%2$s";
          APT::Architectures { "%2$s"; };
          APT::Install-Recommends "false";
          APT::Sandbox::User "root";
          Acquire::Languages "none";
          Debug::NoLocking "true";
          """.formatted(state.toAbsolutePath(), recipe.architecture());
      Files.writeString(state.resolve("apt.conf"), conf);
      return state;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare apt state in " + state + ": " + e.getMessage(), e);
    }
  }
}
