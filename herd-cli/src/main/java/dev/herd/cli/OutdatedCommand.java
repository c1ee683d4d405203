package dev.herd.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herd.bake.base.BaseBuildException;
import dev.herd.bake.base.PackageUpdates;
import dev.herd.bake.base.RoleUpdates;
import dev.herd.image.Images;
import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.oci.ImageException;
import dev.herd.spec.Spec;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herd outdated [ROLE|FLEET]}: for every image a fleet runs or a channel points at, the
 * packages the mirror now has newer versions of (security ones flagged), its age and the fleets
 * running it. Reads only: the catalog, the controller's records and the package index.
 */
@Command(name = "outdated",
    header = "Show images that miss package updates (security ones flagged).",
    description = {
      "For every image in use by a fleet or on a channel: packages with a newer version in the role's",
      "Debian mirror now (downloads the index), the image's age and the fleets running it.",
      "Exit status: 0 everything current, 2 something outdated, 4 error (nothing is changed)."
    })
public final class OutdatedCommand implements Callable<Integer> {
  static final int OUTDATED = 2;

  @Mixin ProjectOptions project;
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec command;

  @Parameters(index = "0", arity = "0..1", paramLabel = "ROLE|FLEET", description = "Only this role's images, or this fleet's.")
  String only;

  @Option(names = "--json", description = "One JSON document for automation.")
  boolean json;

  /** One image's state. {@code packagesNotChecked} says why packages could not be compared. */
  record ImageReport(String image, String digest, String created, long ageDays, List<String> fleets, List<String> channels,
      boolean revoked, boolean outdated, List<PackageUpdates.Update> updates, String packagesNotChecked, String registryBase) {}

  record Report(String checkedAt, boolean outdated, List<ImageReport> images) {}

  @Override
  public Integer call() {
    Report report;
    try {
      report = check();
    } catch (CliFailure f) {
      throw new CliFailure(HerdCli.ENVIRONMENT, f.getMessage(), f);
    } catch (BaseBuildException | ImageException | UncheckedIOException e) {
      throw new CliFailure(HerdCli.ENVIRONMENT, e.getMessage() + "\nnothing was changed", e);
    } catch (RuntimeException e) {
      if (HerdCli.refusal(e) != null) {
        throw new CliFailure(HerdCli.ENVIRONMENT, e.getMessage(), e);
      }
      throw e;
    }
    PrintWriter out = command.commandLine().getOut();
    if (json) {
      out.println(json(report));
    } else {
      print(out, report);
    }
    return report.outdated() ? OUTDATED : HerdCli.OK;
  }

  private Report check() {
    Spec spec = project.loadSpec(null);
    if (only != null && !spec.roles().containsKey(only) && !spec.fleets().containsKey(only)) {
      throw new CliFailure(HerdCli.USAGE, "no role or fleet \"" + only + "\" in " + spec.file().getFileName());
    }
    Path state = project.stateDir(spec.file());
    Instant now = Instant.now();
    if (!ImageState.exists(state)) {
      return new Report(now.toString(), false, List.of());
    }
    Map<String, SortedSet<String>> fleetsByDigest = fleetsByDigest(state);
    List<ImageReport> reports = new ArrayList<>();
    RoleUpdates updates = RoleUpdates.standard();
    try (Images images = Images.open(state)) {
      for (String role : images.catalog().roles()) {
        for (CatalogImage image : images.catalog().list(role)) {
          List<String> fleets = List.copyOf(fleetsByDigest.getOrDefault(image.digest().toString(), new TreeSet<>()));
          if (fleets.isEmpty() && image.channels().isEmpty()) {
            continue;
          }
          if (only != null && !only.equals(role) && !fleets.contains(only)) {
            continue;
          }
          RoleUpdates.Check check = updates.check(Optional.ofNullable(spec.roles().get(role)), images.sbom(image.digest()));
          reports.add(new ImageReport(image.ref(), image.digest().toString(), image.created().toString(),
              Duration.between(image.created(), now).toDays(), fleets, image.channels(), image.revoked(),
              !check.updates().isEmpty(), check.updates(), check.notChecked().orElse(null),
              registryBase(spec.roles().get(role))));
        }
      }
    }
    return new Report(now.toString(), reports.stream().anyMatch(ImageReport::outdated), reports);
  }

  /** Whether the role's base is a registry tag that could have moved; querying the registry is not done yet. */
  static String registryBase(dev.herd.spec.Role role) {
    if (role != null && role.base() instanceof dev.herd.spec.Base.Registry r) {
      return "not checked: " + r.ref() + " (herd outdated does not query registries yet; herd bake --locked refuses a moved tag)";
    }
    return "none";
  }

  private static Map<String, SortedSet<String>> fleetsByDigest(Path state) {
    return dev.herd.control.FleetImages.byDigest(state);
  }

  private static void print(PrintWriter out, Report report) {
    if (report.images().isEmpty()) {
      out.println("no images in use by a fleet or on a channel");
      return;
    }
    for (ImageReport i : report.images()) {
      String where = (i.fleets().isEmpty() ? "" : "fleets " + String.join(", ", i.fleets()))
          + (i.fleets().isEmpty() || i.channels().isEmpty() ? "" : "; ")
          + (i.channels().isEmpty() ? "" : "channels " + String.join(", ", i.channels()));
      String state = i.packagesNotChecked() != null ? "packages not checked: " + i.packagesNotChecked()
          : (i.outdated() ? i.updates().size() + " package update(s)"
              + (i.updates().stream().anyMatch(PackageUpdates.Update::security) ? ", security" : "") : "current");
      out.println(i.image() + "  " + i.ageDays() + "d old  " + where + (i.revoked() ? "  REVOKED" : "") + "  " + state);
      for (PackageUpdates.Update u : i.updates()) {
        out.println("  " + u);
      }
      out.println("  registry base: " + i.registryBase());
    }
  }

  private static String json(Report report) {
    try {
      return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

}
