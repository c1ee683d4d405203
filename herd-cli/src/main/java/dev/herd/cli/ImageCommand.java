package dev.herd.cli;

import dev.herd.image.Images;
import dev.herd.image.SbomSummary;
import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.oci.Descriptor;
import dev.herd.image.oci.ImageConfig;
import dev.herd.image.oci.Manifest;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
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

  /** {@code herd image diff web:3 web:4 [--json]}. */
  @Command(name = "diff",
    header = "Show what differs between two images: files, config, packages.",
    description = "Files (added/removed/changed, with sizes and digests), config and package versions (security updates flagged) that differ between two images.")
  static final class Diff implements java.util.concurrent.Callable<Integer> {
    @Mixin ProjectOptions project;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FROM", description = "ROLE:VERSION")
    String from;

    @Parameters(index = "1", paramLabel = "TO", description = "ROLE:VERSION")
    String to;

    @picocli.CommandLine.Option(names = "--json", description = JsonOutput.DESCRIPTION)
    boolean json;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      ImageState.with(project, true, images -> {
        ImageDiff diff = ImageDiff.of(images, images.find(PromoteCommand.parse(from)), images.find(PromoteCommand.parse(to)));
        if (json) {
          JsonOutput.print(out, diff);
        } else {
          diff.print(out);
        }
        return null;
      });
      return HerdCli.OK;
    }
  }

  private static void row(PrintWriter out, String key, String value) {
    out.printf("%-14s %s%n", key + ":", value);
  }

  private static String orDash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }
}
