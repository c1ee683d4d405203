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
    Path state = prepareState(recipe);
    // apt runs without its own locking on this private tree; bakes sharing it take turns
    synchronized (MONITORS.computeIfAbsent(state, s -> new Object())) {
      try (FileChannel lockFile = FileChannel.open(state.resolve(".resolve.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = lockFile.lock()) {
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
    Map<String, String> env = Map.of("APT_CONFIG", state.resolve("apt.conf").toString(), "LC_ALL", "C.UTF-8");
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
