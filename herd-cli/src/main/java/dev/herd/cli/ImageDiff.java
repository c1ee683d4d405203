package dev.herd.cli;

import dev.herd.bake.base.PackageChanges;
import dev.herd.image.ImageFiles;
import dev.herd.image.Images;
import dev.herd.image.SbomSummary;
import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.oci.ImageConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What {@code herd image diff A B} reports: file, config and package changes between two images.
 * One model, rendered as text or as JSON ({@code --json}).
 *
 * @param packagesNotCompared why packages were not compared (an image without SBOM), or null
 */
record ImageDiff(Side from, Side to, boolean identical, Files files, List<String> config, List<Package> packages,
    String packagesNotCompared) {

  record Side(String image, String digest) {}

  /** One path; {@code sha256} for regular files, {@code link} for symlinks. */
  record File(String path, String type, long size, String mode, String owner, String sha256, String link) {
    static File of(ImageFiles.FileInfo f) {
      return new File("/" + f.path(), ImageDiff.type(f.type()), f.size(), String.format("%04o", f.mode()), f.uid() + ":" + f.gid(),
          f.sha256() == null ? null : f.sha256().toString(), f.linkTarget());
    }
  }

  /** A changed path: what differs, and the path before and after. */
  record Changed(String path, List<String> changes, File before, File after) {}

  record Files(List<File> added, List<File> removed, List<Changed> changed) {}

  /** {@code change}: added, removed, upgraded, downgraded; {@code security} when the newer SBOM records it. */
  record Package(String name, String from, String to, String change, boolean security) {}

  static ImageDiff of(Images images, CatalogImage a, CatalogImage b) {
    Side from = new Side(a.ref(), a.digest().toString());
    Side to = new Side(b.ref(), b.digest().toString());
    if (a.digest().equals(b.digest())) {
      return new ImageDiff(from, to, true, new Files(List.of(), List.of(), List.of()), List.of(), List.of(), null);
    }
    ImageFiles.Changes ch = ImageFiles.compare(
        ImageFiles.of(images.store(), images.manifest(a)), ImageFiles.of(images.store(), images.manifest(b)));
    List<Changed> changed = new ArrayList<>();
    for (ImageFiles.FileInfo[] c : ch.changed()) {
      changed.add(new Changed("/" + c[1].path(), what(c[0], c[1]), File.of(c[0]), File.of(c[1])));
    }
    Files files = new Files(ch.added().stream().map(File::of).toList(), ch.removed().stream().map(File::of).toList(), changed);
    List<String> config = config(images.config(a), images.config(b));
    Optional<byte[]> sa = images.sbom(a.digest());
    Optional<byte[]> sb = images.sbom(b.digest());
    if (sa.isEmpty() || sb.isEmpty()) {
      return new ImageDiff(from, to, false, files, config, List.of(),
          "no SBOM for " + (sa.isEmpty() ? a.ref() : b.ref()) + "; not compared");
    }
    List<Package> packages = PackageChanges.between(SbomSummary.parse(sa.get()).packages(), SbomSummary.parse(sb.get()).packages(),
            SbomSummary.securityPackages(sb.get())).stream()
        .map(c -> new Package(c.name(), c.from().orElse(null), c.to().orElse(null), c.kind().name().toLowerCase(), c.security()))
        .toList();
    return new ImageDiff(from, to, false, files, config, packages, null);
  }

  void print(PrintWriter out) {
    out.println("--- " + from.image() + " " + from.digest().substring(7, 19));
    out.println("+++ " + to.image() + " " + to.digest().substring(7, 19));
    if (identical) {
      out.println("identical images");
      return;
    }
    out.println("Files: " + files.added().size() + " added, " + files.removed().size() + " removed, "
        + files.changed().size() + " changed");
    files.added().forEach(f -> out.println("  + " + f.path() + describe(f)));
    files.removed().forEach(f -> out.println("  - " + f.path() + describe(f)));
    files.changed().forEach(c -> out.println("  ~ " + c.path() + " (" + String.join(", ", c.changes()) + ")"));
    out.println("Config: " + (config.isEmpty() ? "no differences" : config.size() + " differences"));
    config.forEach(l -> out.println("  " + l));
    if (packagesNotCompared != null) {
      out.println("Packages: " + packagesNotCompared);
      return;
    }
    out.println("Packages: " + (packages.isEmpty() ? "no differences" : packages.size() + " differences"));
    for (Package p : packages) {
      String sec = p.security() ? " (security)" : "";
      out.println("  " + switch (p.change()) {
        case "added" -> "+ package " + p.name() + "=" + p.to() + sec;
        case "removed" -> "- package " + p.name() + "=" + p.from();
        default -> "~ package " + p.name() + ": " + p.from() + " → " + p.to() + ("downgraded".equals(p.change()) ? " (downgrade)" : "") + sec;
      });
    }
  }

  private static String type(char t) {
    return switch (t) {
      case 'd' -> "directory";
      case 'l' -> "symlink";
      case 'f' -> "file";
      case 'h' -> "hardlink";
      default -> "other";
    };
  }

  private static String describe(File f) {
    return switch (f.type()) {
      case "directory" -> "/";
      case "symlink" -> " -> " + f.link();
      case "file" -> " (" + ImageState.size(f.size()) + ", " + shortDigest(f.sha256()) + ")";
      default -> "";
    };
  }

  private static String shortDigest(String d) {
    return d == null ? "-" : d.substring(0, Math.min(d.length(), 19));
  }

  private static List<String> what(ImageFiles.FileInfo a, ImageFiles.FileInfo b) {
    List<String> what = new ArrayList<>();
    if (a.type() != b.type()) {
      what.add("type " + type(a.type()) + "→" + type(b.type()));
    }
    if (a.size() != b.size()) {
      what.add("size " + ImageState.size(a.size()) + "→" + ImageState.size(b.size()));
    }
    if (!Objects.equals(a.sha256(), b.sha256()) && a.sha256() != null && b.sha256() != null) {
      what.add("content " + shortDigest(a.sha256().toString()) + "→" + shortDigest(b.sha256().toString()));
    }
    if (a.mode() != b.mode()) {
      what.add("mode " + Integer.toOctalString(a.mode()) + "→" + Integer.toOctalString(b.mode()));
    }
    if (a.uid() != b.uid() || a.gid() != b.gid()) {
      what.add("owner " + a.uid() + ":" + a.gid() + "→" + b.uid() + ":" + b.gid());
    }
    if (!Objects.equals(a.linkTarget(), b.linkTarget())) {
      what.add("link " + a.linkTarget() + "→" + b.linkTarget());
    }
    return what;
  }

  private static List<String> config(ImageConfig a, ImageConfig b) {
    List<String> lines = new ArrayList<>();
    field(lines, "Platform", a.os() + "/" + a.architecture(), b.os() + "/" + b.architecture());
    field(lines, "User", a.user(), b.user());
    field(lines, "WorkingDir", a.workingDir(), b.workingDir());
    field(lines, "Entrypoint", a.entrypoint().toString(), b.entrypoint().toString());
    field(lines, "Cmd", a.cmd().toString(), b.cmd().toString());
    field(lines, "Ports", a.exposedPorts().toString(), b.exposedPorts().toString());
    map(lines, "Env", envMap(a.env()), envMap(b.env()));
    map(lines, "Label", a.labels(), b.labels());
    return lines;
  }

  private static void field(List<String> lines, String name, String a, String b) {
    if (!a.equals(b)) {
      lines.add(name + ": " + (a.isEmpty() ? "-" : a) + " → " + (b.isEmpty() ? "-" : b));
    }
  }

  private static void map(List<String> lines, String name, Map<String, String> a, Map<String, String> b) {
    TreeSet<String> keys = new TreeSet<>(a.keySet());
    keys.addAll(b.keySet());
    for (String k : keys) {
      String x = a.get(k);
      String y = b.get(k);
      if (x == null) {
        lines.add("+ " + name + " " + k + "=" + y);
      } else if (y == null) {
        lines.add("- " + name + " " + k + "=" + x);
      } else if (!x.equals(y)) {
        lines.add("~ " + name + " " + k + ": " + x + " → " + y);
      }
    }
  }

  private static SortedMap<String, String> envMap(List<String> env) {
    SortedMap<String, String> m = new TreeMap<>();
    for (String e : env) {
      int i = e.indexOf('=');
      m.put(i < 0 ? e : e.substring(0, i), i < 0 ? "" : e.substring(i + 1));
    }
    return m;
  }
}
