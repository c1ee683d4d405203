package dev.herd.cli;

import dev.herd.image.GcResult;
import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.catalog.InUse;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code herd gc --keep N [--dry-run]}: drop old images and the blobs only they used. */
@Command(name = "gc", description = {
    "Remove old images and the blobs only they used.",
    "Keeps per role the newest N non-revoked versions, every image on a channel and every image",
    "in use. Unreferenced blobs younger than an hour are kept (a bake may be writing them)."})
public final class GcCommand implements Callable<Integer> {
  @Mixin ProjectOptions project;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--keep", required = true, paramLabel = "N", description = "Newest versions to keep per role (at least 1).")
  int keep;

  @Option(names = "--dry-run", description = "Show what would be removed; change nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    if (keep < 1) {
      throw new CliFailure(HerdCli.USAGE, "--keep must be at least 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    if (!ImageState.exists(ImageState.stateDir(project))) {
      out.println("no images yet in " + ImageState.stateDir(project) + "; nothing to do");
      return HerdCli.OK;
    }
    // Releases are not tracked yet; when the controller lands it supplies the in-use predicate.
    GcResult r = ImageState.with(project, true, images -> images.gc(keep, InUse.NOTHING, dryRun));
    String verb = dryRun ? "would remove" : "removed";
    for (CatalogImage i : r.removed()) {
      out.println(verb + " " + i.ref() + " " + i.digest().shortHex() + (i.revoked() ? " (revoked)" : ""));
    }
    r.kept().entrySet().stream()
        .sorted(Map.Entry.comparingByKey(Comparator.comparing(CatalogImage::ref)))
        .forEach(e -> out.println("kept " + e.getKey().ref() + " (" + e.getValue() + ")"));
    out.println((dryRun ? "dry run: would delete " : "deleted ") + r.deletedBlobs().size() + " blobs, "
        + ImageState.size(r.bytesFreed()) + (dryRun ? "" : " freed")
        + (r.youngBlobsKept() > 0 ? "; " + r.youngBlobsKept() + " unreferenced blobs younger than 1h kept (a bake may be writing them)" : ""));
    return HerdCli.OK;
  }
}
