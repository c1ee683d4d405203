package dev.herd.bake.audit;

import dev.herd.bake.tree.ImagePath;
import dev.herd.bake.tree.ImageRoot;
import dev.herd.bake.tree.Node;
import dev.herd.bake.tree.Origin;
import dev.herd.bake.tree.PathResolver;
import dev.herd.bake.tree.TreeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The parts of a tree's dpkg database an audit needs: installed packages with their conffiles
 * ({@code var/lib/dpkg/status}, or {@code status.d/} of distroless-style trees), each package's
 * {@code info/<pkg>[:<arch>].md5sums}, and diversions.
 */
final class DpkgDatabase {
  /** An installed package; {@code conffiles} maps path → md5 of the packaged version. */
  record Package(String name, String architecture, boolean multiArchSame, Map<String, String> conffiles) {}

  private final ImageRoot root;
  private final Map<String, Package> installed;
  private final Map<String, String> diversions;

  private DpkgDatabase(ImageRoot root, Map<String, Package> installed, Map<String, String> diversions) {
    this.root = root;
    this.installed = installed;
    this.diversions = diversions;
  }

  /** Empty when the tree has no dpkg database. */
  static Optional<DpkgDatabase> load(ImageRoot root) {
    Map<String, Package> installed = new TreeMap<>();
    boolean any = false;
    Optional<String> status = text(root, "/var/lib/dpkg/status");
    if (status.isPresent()) {
      any = true;
      parse(status.get(), installed, false);
    }
    Optional<ImagePath> dir = resolve(root, "/var/lib/dpkg/status.d");
    if (dir.isPresent() && root.lstat(dir.get()).filter(Node::isDirectory).isPresent()) {
      any = true;
      for (String name : root.list(dir.get())) {
        text(root, "/var/lib/dpkg/status.d/" + name).ifPresent(t -> parse(t, installed, true));
      }
    }
    if (!any) {
      return Optional.empty();
    }
    Map<String, String> diversions = new LinkedHashMap<>();
    text(root, "/var/lib/dpkg/diversions").ifPresent(t -> {
      String[] lines = t.split("\n");
      for (int i = 0; i + 2 < lines.length; i += 3) {
        diversions.put(lines[i], lines[i + 1]);
      }
    });
    return Optional.of(new DpkgDatabase(root, installed, diversions));
  }

  Map<String, Package> installed() {
    return installed;
  }

  /** Where a packaged path really is, after dpkg-divert. */
  String diverted(String path) {
    return diversions.getOrDefault(path, path);
  }

  /** The package's md5sums as path (absolute) → md5; empty when dpkg kept none. */
  Map<String, String> md5sums(Package p) {
    Optional<String> text = text(root, "/var/lib/dpkg/info/" + p.name() + ":" + p.architecture() + ".md5sums")
        .or(() -> text(root, "/var/lib/dpkg/info/" + p.name() + ".md5sums"));
    Map<String, String> out = new LinkedHashMap<>();
    text.ifPresent(t -> {
      for (String line : t.split("\n")) {
        int sp = line.indexOf(' ');
        if (sp == 32) {
          out.put("/" + line.substring(sp).strip(), line.substring(0, 32));
        }
      }
    });
    return out;
  }

  private static void parse(String text, Map<String, Package> into, boolean presentMeansInstalled) {
    Map<String, String> fields = new LinkedHashMap<>();
    String last = null;
    for (String line : (text + "\n\n").split("\n", -1)) {
      if (line.isBlank()) {
        String name = fields.get("Package");
        String status = fields.getOrDefault("Status", presentMeansInstalled ? "install ok installed" : "");
        if (name != null && status.endsWith(" installed")) {
          Map<String, String> conffiles = new LinkedHashMap<>();
          for (String c : fields.getOrDefault("Conffiles", "").split("\n")) {
            String[] parts = c.strip().split("\\s+");
            // "obsolete" and "remove-on-upgrade" conffiles are no longer the package's promise
            if (parts.length == 2 && parts[0].startsWith("/") && parts[1].length() == 32) {
              conffiles.put(parts[0], parts[1]);
            }
          }
          String arch = fields.getOrDefault("Architecture", "");
          into.put(name + ":" + arch, new Package(name, arch, "same".equals(fields.get("Multi-Arch")), conffiles));
        }
        fields.clear();
        last = null;
      } else if ((line.startsWith(" ") || line.startsWith("\t")) && last != null) {
        fields.put(last, fields.get(last) + "\n" + line.strip());
      } else {
        int colon = line.indexOf(':');
        if (colon > 0) {
          last = line.substring(0, colon);
          fields.put(last, line.substring(colon + 1).strip());
        }
      }
    }
  }

  static Optional<ImagePath> resolve(ImageRoot root, String path) {
    try {
      return Optional.of(root.resolve(path, PathResolver.Follow.ALL, Origin.UNKNOWN));
    } catch (TreeException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> text(ImageRoot root, String path) {
    Optional<ImagePath> p = resolve(root, path);
    if (p.isEmpty() || root.lstat(p.get()).filter(Node::isFile).isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readString(root.hostPath(p.get()), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + " in the audited tree", e);
    }
  }

  static List<String> names(Map<String, Package> installed) {
    List<String> out = new ArrayList<>();
    installed.values().forEach(p -> out.add(p.name()));
    return out;
  }
}
