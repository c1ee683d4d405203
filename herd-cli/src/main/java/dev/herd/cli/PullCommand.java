package dev.herd.cli;

import dev.herd.image.archive.ImportLimits;
import dev.herd.image.catalog.Catalog;
import dev.herd.image.catalog.Lineage;
import dev.herd.image.registry.RegistryClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herd pull 127.0.0.1:5000/shop/web:4}: import an image into the store, checked like an archive import. */
@Command(name = "pull", mixinStandardHelpOptions = true,
    header = "Pull an image from a registry into herd's store.",
    description = {"Pull REGISTRY/REPO[:TAG|@sha256:...] (one linux image; from a multi-arch index this machine's),",
      "check it like an archive import (digests, diff IDs, paths, links) and register it as the role's next version",
      "(the role is the image's dev.herd.role label, or --as). Nothing enters the store unless every check passes."})
public final class PullCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ProjectOptions project;

  @Parameters(index = "0", paramLabel = "REF", description = "REGISTRY/REPO[:TAG] or REGISTRY/REPO@sha256:...")
  String source;

  @Option(names = "--as", paramLabel = "ROLE", description = "Role to register the image under (default: its dev.herd.role label).")
  String role;

  @Override
  public Integer call() {
    Registries.Target target = Registries.resolve(source, Registries.optionalSpec(project), ImageState.stateDir(project));
    String said = ImageState.with(project, false, images -> {
      RegistryClient.Pulled pulled = new RegistryClient().pull(target.ref(), target.access(), images.store(), ImportLimits.DEFAULT);
      String r = role != null ? role : pulled.config().labels().get("dev.herd.role");
      if (r == null) {
        throw new CliFailure(HerdCli.USAGE, "pulled " + target.ref() + " has no dev.herd.role label; name its role with --as ROLE"
            + " (its blobs stay in the store until gc)");
      }
      Catalog.Registration reg = images.catalog().register(r, pulled.manifest().digest(), pulled.size(),
          new Lineage("", "", pulled.config().labels().getOrDefault("dev.herd.base", "")));
      images.store().tag(reg.image().ref(), pulled.manifest());
      return "pulled " + target.ref() + " as " + reg.image().ref() + " (" + pulled.manifest().digest() + ")"
          + (reg.minted() ? "" : ", already in the store");
    });
    spec.commandLine().getOut().println(said);
    return HerdCli.OK;
  }
}
