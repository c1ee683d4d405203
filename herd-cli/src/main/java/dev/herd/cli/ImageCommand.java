package dev.herd.cli;

import dev.herd.image.ImageFiles;
import dev.herd.image.Images;
import dev.herd.image.SbomSummary;
import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.oci.Descriptor;
import dev.herd.image.oci.ImageConfig;
import dev.herd.image.oci.Manifest;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herd image show|diff}: look inside images. */
@Command(name = "image", description = "Inspect images.", subcommands = {ImageCommand.Show.class, ImageCommand.Diff.class})
public final class ImageCommand {

  /** {@code herd image show web:3}. */
  @Command(name = "show", description = "Config, labels, layers, lineage and SBOM summary of an image.")
  static final class Show implements java.util.concurrent.Callable<Integer> {
    @Mixin ProjectOptions project;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "ROLE:VERSION (or ROLE:latest, ROLE:channel:NAME, ROLE@sha256:...).")
    String image;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      ImageState.with(project, true, images -> {
        CatalogImage img = images.find(PromoteCommand.parse(image));
        Manifest m = images.manifest(img);
        ImageConfig c = images.store().config(m);
        row(out, "Image", img.ref());
        row(out, "Digest", img.digest().toString());
        row(out, "Registered", img.created().toString());
        row(out, "Built (epoch)", c.created().toString());
        row(out, "Size", ImageState.size(img.size()));
        row(out, "Channels", img.channels().isEmpty() ? "-" : String.join(", ", img.channels()));
        row(out, "Revoked", img.revocation().map(r -> "yes, " + r.at() + ": " + r.reason()).orElse("no"));
        row(out, "Spec", orDash(img.lineage().specDigest()));
        row(out, "Commit", orDash(img.lineage().gitCommit()));
        row(out, "Base", orDash(img.lineage().baseDigest()));
        List<dev.herd.image.catalog.Catalog.Push> pushes = images.catalog().pushes(img.digest());
        row(out, "Pushed", pushes.isEmpty() ? "-" : pushes.stream()
            .map(p -> p.destination() + (p.channel() == null ? "" : " (channel " + p.channel() + ")") + " " + p.at())
            .collect(java.util.stream.Collectors.joining("\n" + " ".repeat(15))));
        row(out, "Platform", c.os() + "/" + c.architecture());
        row(out, "User", orDash(c.user()));
        row(out, "WorkingDir", orDash(c.workingDir()));
        row(out, "Entrypoint", c.entrypoint().isEmpty() ? "-" : c.entrypoint().toString());
        row(out, "Cmd", c.cmd().isEmpty() ? "-" : c.cmd().toString());
        row(out, "Ports", c.exposedPorts().isEmpty() ? "-" : String.join(", ", c.exposedPorts()));
        out.println("Env:");
        c.env().forEach(e -> out.println("  " + e));
        out.println("Labels:");
        c.labels().forEach((k, v) -> out.println("  " + k + "=" + v));
        out.println("Layers:");
        List<ImageConfig.History> layerHistory = c.history().stream().filter(h -> !h.emptyLayer()).toList();
        for (int i = 0; i < m.layers().size(); i++) {
          Descriptor l = m.layers().get(i);
          String by = i < layerHistory.size() ? layerHistory.get(i).createdBy() : "";
          out.printf("  %d  %s  %8s  %s%n", i + 1, l.digest().shortHex(), ImageState.size(l.size()), by);
        }
        Optional<byte[]> sbom = images.sbom(img.digest());
        if (sbom.isPresent()) {
          SbomSummary s = SbomSummary.parse(sbom.get());
          row(out, "SBOM", s.format() + " " + s.specVersion() + ", " + s.packages().size() + " packages");
        } else {
          row(out, "SBOM", "none");
        }
        return null;
      });
      return HerdCli.OK;
    }
  }

  /** {@code herd image diff web:3 web:4}. */
  @Command(name = "diff",
    header = "Show what differs between two images: files, config, packages.", description = "Files (added/removed/changed), config and packages that differ between two images.")
  static final class Diff implements java.util.concurrent.Callable<Integer> {
    @Mixin ProjectOptions project;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FROM", description = "ROLE:VERSION")
    String from;

    @Parameters(index = "1", paramLabel = "TO", description = "ROLE:VERSION")
    String to;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      ImageState.with(project, true, images -> {
        CatalogImage a = images.find(PromoteCommand.parse(from));
        CatalogImage b = images.find(PromoteCommand.parse(to));
        out.println("--- " + a.ref() + " " + a.digest().shortHex());
        out.println("+++ " + b.ref() + " " + b.digest().shortHex());
        if (a.digest().equals(b.digest())) {
          out.println("identical images");
          return null;
        }
        files(out, images, a, b);
        config(out, images.config(a), images.config(b));
        packages(out, images, a, b);
        return null;
      });
      return HerdCli.OK;
    }

    private static void files(PrintWriter out, Images images, CatalogImage a, CatalogImage b) {
      ImageFiles.Changes ch = ImageFiles.compare(
          ImageFiles.of(images.store(), images.manifest(a)), ImageFiles.of(images.store(), images.manifest(b)));
      out.println("Files: " + ch.added().size() + " added, " + ch.removed().size() + " removed, " + ch.changed().size() + " changed");
      ch.added().forEach(f -> out.println("  + /" + f.path() + describe(f)));
      ch.removed().forEach(f -> out.println("  - /" + f.path() + describe(f)));
      for (ImageFiles.FileInfo[] c : ch.changed()) {
        List<String> what = new ArrayList<>();
        if (c[0].type() != c[1].type()) what.add("type " + c[0].type() + "→" + c[1].type());
        if (c[0].size() != c[1].size()) what.add("size " + ImageState.size(c[0].size()) + "→" + ImageState.size(c[1].size()));
        else if (!Objects.equals(c[0].sha256(), c[1].sha256())) what.add("content");
        if (c[0].mode() != c[1].mode()) what.add("mode " + Integer.toOctalString(c[0].mode()) + "→" + Integer.toOctalString(c[1].mode()));
        if (c[0].uid() != c[1].uid() || c[0].gid() != c[1].gid()) what.add("owner " + c[0].uid() + ":" + c[0].gid() + "→" + c[1].uid() + ":" + c[1].gid());
        if (!Objects.equals(c[0].linkTarget(), c[1].linkTarget())) what.add("link " + c[0].linkTarget() + "→" + c[1].linkTarget());
        out.println("  ~ /" + c[1].path() + " (" + String.join(", ", what) + ")");
      }
    }

    private static String describe(ImageFiles.FileInfo f) {
      return switch (f.type()) {
        case 'd' -> "/";
        case 'l' -> " -> " + f.linkTarget();
        case 'f' -> " (" + ImageState.size(f.size()) + ")";
        default -> "";
      };
    }

    private static void config(PrintWriter out, ImageConfig a, ImageConfig b) {
      List<String> lines = new ArrayList<>();
      field(lines, "Platform", a.os() + "/" + a.architecture(), b.os() + "/" + b.architecture());
      field(lines, "User", a.user(), b.user());
      field(lines, "WorkingDir", a.workingDir(), b.workingDir());
      field(lines, "Entrypoint", a.entrypoint().toString(), b.entrypoint().toString());
      field(lines, "Cmd", a.cmd().toString(), b.cmd().toString());
      field(lines, "Ports", a.exposedPorts().toString(), b.exposedPorts().toString());
      map(lines, "Env", envMap(a.env()), envMap(b.env()));
      map(lines, "Label", a.labels(), b.labels());
      out.println("Config: " + (lines.isEmpty() ? "no differences" : lines.size() + " differences"));
      lines.forEach(l -> out.println("  " + l));
    }

    private static void field(List<String> lines, String name, String a, String b) {
      if (!a.equals(b)) {
        lines.add(name + ": " + (a.isEmpty() ? "-" : a) + " → " + (b.isEmpty() ? "-" : b));
      }
    }

    private static void map(List<String> lines, String name, Map<String, String> a, Map<String, String> b) {
      for (String k : new TreeSet<>(union(a, b))) {
        String x = a.get(k);
        String y = b.get(k);
        if (x == null) lines.add("+ " + name + " " + k + "=" + y);
        else if (y == null) lines.add("- " + name + " " + k + "=" + x);
        else if (!x.equals(y)) lines.add("~ " + name + " " + k + ": " + x + " → " + y);
      }
    }

    private static java.util.Set<String> union(Map<String, String> a, Map<String, String> b) {
      java.util.Set<String> keys = new TreeSet<>(a.keySet());
      keys.addAll(b.keySet());
      return keys;
    }

    private static SortedMap<String, String> envMap(List<String> env) {
      SortedMap<String, String> m = new TreeMap<>();
      for (String e : env) {
        int i = e.indexOf('=');
        m.put(e.substring(0, i), e.substring(i + 1));
      }
      return m;
    }

    private static void packages(PrintWriter out, Images images, CatalogImage a, CatalogImage b) {
      Optional<byte[]> sa = images.sbom(a.digest());
      Optional<byte[]> sb = images.sbom(b.digest());
      if (sa.isEmpty() || sb.isEmpty()) {
        out.println("Packages: no SBOM for " + (sa.isEmpty() ? a.ref() : b.ref()) + "; not compared");
        return;
      }
      List<String> lines = new ArrayList<>();
      map(lines, "package", SbomSummary.parse(sa.get()).packages(), SbomSummary.parse(sb.get()).packages());
      out.println("Packages: " + (lines.isEmpty() ? "no differences" : lines.size() + " differences"));
      lines.forEach(l -> out.println("  " + l));
    }
  }

  private static void row(PrintWriter out, String key, String value) {
    out.printf("%-14s %s%n", key + ":", value);
  }

  private static String orDash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }
}
