package dev.herd.bake.base;

import dev.herd.bake.tree.ImagePath;
import dev.herd.bake.tree.ImageRoot;
import dev.herd.bake.tree.Node;
import dev.herd.bake.tree.Origin;
import dev.herd.bake.tree.PathResolver;
import dev.herd.bake.tree.StagingTree;
import dev.herd.bake.tree.TreeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The one reader of an image's dpkg database: {@code /var/lib/dpkg/status} (dpkg and mmdebstrap
 * trees) plus every file in {@code /var/lib/dpkg/status.d/} (distroless-style trees, one package
 * per file, usually without a Status field). The SBOM, the image tests ({@code package:}) and
 * {@code herd audit} all read it, so they agree on what an image contains.
 *
 * <p><b>Installed</b> is defined once, by {@link #isInstalled(String)}: dpkg's state word (the
 * third word of Status) is {@code installed}, {@code triggers-pending} or {@code triggers-awaited}
 * (dpkg counts all three as configured: the files are on disk and dependencies are satisfied).
 * {@code config-files}, {@code half-installed}, {@code unpacked}, {@code half-configured} and
 * {@code not-installed} are not. The "want" word is ignored: {@code deinstall ok installed} is a
 * package marked for removal whose files are still there. A status.d entry without Status is
 * installed (its presence is the record).
 */
public final class DpkgDatabase {
  /** Where dpkg keeps its database, relative to the root filesystem. */
  public static final String STATUS_PATH = "var/lib/dpkg/status";
  public static final String STATUS_D_PATH = "var/lib/dpkg/status.d";
  private static final int MAX_READ = 64 << 20;
  private static final Set<String> INSTALLED_STATES = Set.of("installed", "triggers-pending", "triggers-awaited");

  /**
   * One package paragraph. {@code conffiles} maps path → md5 of the packaged version (obsolete
   * and remove-on-upgrade conffiles are left out: they are no longer the package's promise).
   */
  public record Entry(String name, String architecture, String version, String status, boolean multiArchSame,
      Map<String, String> conffiles) {
    public Entry {
      conffiles = Map.copyOf(conffiles);
    }

    public boolean installed() {
      return isInstalled(status);
    }

    public DebianPackage asPackage() {
      return new DebianPackage(name, version, architecture);
    }
  }

  private static final Comparator<Entry> ORDER =
      Comparator.comparing(Entry::name).thenComparing(Entry::architecture).thenComparing(Entry::version);

  private final List<Entry> entries;

  private DpkgDatabase(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** True when a Status value says the package is installed (see the class comment). */
  public static boolean isInstalled(String status) {
    String[] words = status.strip().split("\\s+");
    return words.length == 3 && INSTALLED_STATES.contains(words[2]);
  }

  /**
   * Parses a database from its files' text: {@code status} (may be absent) and the status.d
   * files by name. Errors name the file and the line or paragraph.
   */
  public static DpkgDatabase parse(Optional<String> status, SortedMap<String, String> statusD) {
    // keyed by name:arch; a later installed paragraph replaces an earlier one, an uninstalled one
    // never hides an installed one
    Map<String, Entry> byKey = new LinkedHashMap<>();
    List<Entry> notInstalled = new ArrayList<>();
    status.ifPresent(text -> add(STATUS_PATH, text, false, byKey, notInstalled));
    statusD.forEach((file, text) -> add(STATUS_D_PATH + "/" + file, text, true, byKey, notInstalled));
    List<Entry> all = new ArrayList<>(byKey.values());
    for (Entry e : notInstalled) {
      if (!byKey.containsKey(e.name() + ":" + e.architecture())) {
        all.add(e);
      }
    }
    all.sort(ORDER);
    return new DpkgDatabase(all);
  }

  /** Parses a single status file's text. */
  public static DpkgDatabase parse(String statusText) {
    return parse(Optional.of(statusText), new TreeMap<>());
  }

  /**
   * Reads the database of a tree, resolving paths confined to it (a symlinked status file that
   * points out of the tree is treated as missing). Empty when the tree has neither file.
   */
  public static Optional<DpkgDatabase> read(StagingTree tree) {
    Optional<String> status = text(tree, "/" + STATUS_PATH);
    SortedMap<String, String> statusD = new TreeMap<>();
    Optional<ImagePath> dir = resolve(tree, "/" + STATUS_D_PATH);
    boolean hasDir = dir.isPresent() && tree.lstat(dir.get()).filter(Node::isDirectory).isPresent();
    if (hasDir) {
      for (String name : tree.list(dir.get())) {
        tree.readIfFile(dir.get().resolve(name), MAX_READ)
            .ifPresent(b -> statusD.put(name, new String(b, StandardCharsets.UTF_8)));
      }
    }
    if (status.isEmpty() && !hasDir) {
      return Optional.empty();
    }
    return Optional.of(parse(status, statusD));
  }

  /** Installed packages of the root filesystem at {@code rootfs}, sorted; empty without a database. */
  public static List<DebianPackage> installed(Path rootfs) {
    return read(ImageRoot.at(rootfs)).map(DpkgDatabase::packages).orElse(List.of());
  }

  /** Every paragraph, installed or not, sorted by name, architecture, version. */
  public List<Entry> entries() {
    return entries;
  }

  /** Installed packages, sorted. */
  public List<Entry> installed() {
    return entries.stream().filter(Entry::installed).toList();
  }

  /** Installed packages as SBOM/lock values, sorted. */
  public List<DebianPackage> packages() {
    return installed().stream().map(Entry::asPackage).toList();
  }

  /** The installed package named {@code name}; {@code name:arch} selects an architecture. */
  public Optional<Entry> installed(String name) {
    return matching(name).filter(Entry::installed).findFirst();
  }

  /** Any paragraph for {@code name} (installed or not), for "found: config-files" messages. */
  public Optional<Entry> any(String name) {
    return matching(name).findFirst();
  }

  private Stream<Entry> matching(String name) {
    int colon = name.indexOf(':');
    String n = colon > 0 ? name.substring(0, colon) : name;
    String arch = colon > 0 ? name.substring(colon + 1) : null;
    return entries.stream().filter(e -> e.name().equals(n) && (arch == null || e.architecture().equals(arch)));
  }

  private static void add(String file, String text, boolean presentMeansInstalled, Map<String, Entry> byKey,
      List<Entry> notInstalled) {
    List<Map<String, String>> paragraphs;
    try {
      paragraphs = Deb822.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
    for (Map<String, String> p : paragraphs) {
      String name = p.get("Package");
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException(file + ": a paragraph has no Package field");
      }
      String status = p.getOrDefault("Status", presentMeansInstalled ? "install ok installed" : "");
      String version = p.getOrDefault("Version", "").strip();
      if (version.isEmpty()) {
        if (!isInstalled(status)) {
          continue; // dpkg keeps version-less records of packages it only knows by name
        }
        throw new IllegalArgumentException(file + ": paragraph " + name + " has no Version field");
      }
      Entry e = new Entry(name.strip(), p.getOrDefault("Architecture", "all").strip(), version, status.strip(),
          "same".equals(p.getOrDefault("Multi-Arch", "").strip()), conffiles(p.getOrDefault("Conffiles", "")));
      if (e.installed()) {
        byKey.put(e.name() + ":" + e.architecture(), e);
      } else {
        notInstalled.add(e);
      }
    }
  }

  private static Map<String, String> conffiles(String field) {
    Map<String, String> out = new TreeMap<>();
    for (String line : field.split("\n")) {
      String[] parts = line.strip().split("\\s+");
      if (parts.length == 2 && parts[0].startsWith("/") && parts[1].length() == 32) {
        out.put(parts[0], parts[1]);
      }
    }
    return out;
  }

  private static Optional<ImagePath> resolve(StagingTree tree, String path) {
    try {
      return Optional.of(tree.resolve(path, PathResolver.Follow.ALL, Origin.UNKNOWN));
    } catch (TreeException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> text(StagingTree tree, String path) {
    return resolve(tree, path).flatMap(p -> tree.readIfFile(p, MAX_READ)).map(b -> new String(b, StandardCharsets.UTF_8));
  }

  /**
   * Builds a dpkg status file from .deb control paragraphs. The extract variant unpacks packages
   * without dpkg, so nothing else records what the image contains; scanners (and herd's SBOM)
   * read this file.
   */
  static String fromControlFiles(List<String> controlTexts) {
    List<Map<String, String>> paragraphs = new ArrayList<>();
    for (String control : controlTexts) {
      List<Map<String, String>> parsed = Deb822.parse(control);
      if (parsed.size() != 1) {
        throw new IllegalArgumentException("a .deb control file must hold one paragraph, found " + parsed.size());
      }
      Map<String, String> source = parsed.getFirst();
      Map<String, String> entry = new LinkedHashMap<>();
      String name = source.get("Package");
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("a .deb control file has no Package field");
      }
      entry.put("Package", name);
      entry.put("Status", "install ok installed");
      source.forEach((field, value) -> {
        if (!field.equals("Package") && !field.equals("Status")) {
          entry.put(field, value);
        }
      });
      paragraphs.add(entry);
    }
    paragraphs.sort(Comparator.comparing((Map<String, String> p) -> p.get("Package"))
        .thenComparing(p -> p.getOrDefault("Architecture", "")));
    StringBuilder out = new StringBuilder();
    for (Map<String, String> paragraph : paragraphs) {
      out.append(Deb822.format(paragraph)).append('\n');
    }
    return out.toString();
  }
}
