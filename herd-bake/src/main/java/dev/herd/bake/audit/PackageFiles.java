package dev.herd.bake.audit;

import dev.herd.bake.base.DpkgDatabase;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an audit needs beside the installed packages (which {@link DpkgDatabase} reads, the same
 * reader the SBOM and the image tests use): each package's {@code info/<pkg>[:<arch>].md5sums}
 * and dpkg's diversions.
 */
final class PackageFiles {
  private final ImageRoot root;
  private final DpkgDatabase db;
  private final Map<String, String> diversions;

  private PackageFiles(ImageRoot root, DpkgDatabase db, Map<String, String> diversions) {
    this.root = root;
    this.db = db;
    this.diversions = diversions;
  }

  /** Empty when the tree has no dpkg database. */
  static Optional<PackageFiles> load(ImageRoot root) {
    Optional<DpkgDatabase> db = DpkgDatabase.read(root);
    if (db.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> diversions = new LinkedHashMap<>();
    text(root, "/var/lib/dpkg/diversions").ifPresent(t -> {
      String[] lines = t.split("\n");
      for (int i = 0; i + 2 < lines.length; i += 3) {
        diversions.put(lines[i], lines[i + 1]);
      }
    });
    return Optional.of(new PackageFiles(root, db.get(), diversions));
  }

  List<DpkgDatabase.Entry> installed() {
    return db.installed();
  }

  /** Where a packaged path really is, after dpkg-divert. */
  String diverted(String path) {
    return diversions.getOrDefault(path, path);
  }

  /** The package's md5sums as path (absolute) → md5; empty when dpkg kept none. */
  Map<String, String> md5sums(DpkgDatabase.Entry p) {
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
}
