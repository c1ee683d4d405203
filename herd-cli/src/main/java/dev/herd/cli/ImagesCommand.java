package dev.herd.cli;

import dev.herd.image.catalog.CatalogImage;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herd images [ROLE]}: the catalog as a table. */
@Command(name = "images", description = "List baked images: version, digest, age, size, channels, revocation.")
public final class ImagesCommand implements Callable<Integer> {
  @Mixin ProjectOptions project;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "ROLE", description = "Only this role.")
  String role;

  @picocli.CommandLine.Option(names = "--json", description = JsonOutput.DESCRIPTION)
  boolean json;

  /** One row of the table, for --json: full digest, creation time, size in bytes. */
  record ImageRow(String image, String digest, Instant created, long size, List<String> channels, String revoked) {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (!ImageState.exists(ImageState.stateDir(project))) {
      if (json) {
        JsonOutput.print(out, List.of());
        return HerdCli.OK;
      }
      out.println("no images yet in " + ImageState.stateDir(project));
      return HerdCli.OK;
    }
    List<CatalogImage> list = ImageState.with(project, true, images -> {
      if (role != null && !images.catalog().roles().contains(role)) {
        throw new dev.herd.image.oci.ImageException("no images for role '" + role + "'"
            + (images.catalog().roles().isEmpty() ? "" : " (roles with images: " + String.join(", ", images.catalog().roles()) + ")"));
      }
      return images.catalog().list(role);
    });
    if (json) {
      JsonOutput.print(out, list.stream().map(i -> new ImageRow(i.ref(), i.digest().toString(), i.created(), i.size(),
          List.copyOf(i.channels()), i.revocation().map(r -> r.reason()).orElse(null))).toList());
      return HerdCli.OK;
    }
    if (list.isEmpty()) {
      out.println("no images yet");
      return HerdCli.OK;
    }
    Instant now = Instant.now();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"IMAGE", "DIGEST", "AGE", "SIZE", "CHANNELS", "REVOKED"});
    for (CatalogImage i : list) {
      rows.add(new String[] {
        i.ref(), i.digest().shortHex(), ImageState.age(i.created(), now), ImageState.size(i.size()),
        i.channels().isEmpty() ? "-" : String.join(",", i.channels()),
        i.revocation().map(r -> "yes: " + r.reason()).orElse("-")
      });
    }
    printTable(out, rows);
    return HerdCli.OK;
  }

  static void printTable(PrintWriter out, List<String[]> rows) {
    int[] widths = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int c = 0; c < r.length; c++) {
        widths[c] = Math.max(widths[c], r[c].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < r.length; c++) {
        line.append(c == r.length - 1 ? r[c] : String.format("%-" + (widths[c] + 2) + "s", r[c]));
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
