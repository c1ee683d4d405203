package dev.herd.cli;

import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.catalog.ImageRef;
import dev.herd.image.registry.RegistryClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herd push web:4 127.0.0.1:5000/shop/web:4}: the registry gets herd's manifest bytes, so the same digest. */
@Command(name = "push", mixinStandardHelpOptions = true,
    header = "Push an image to a registry (same digest as in herd's store).",
    description = {"Push a role's image to REGISTRY/REPO[:TAG]. REGISTRY is a host[:port] or a key of registries: in herd.yaml.",
      "Blobs the registry has are not sent again; the tag is set only after every blob is in.",
      "  herd push web:4 127.0.0.1:5000/shop/web:4      herd push web@channel:prod shop/web:prod"})
public final class PushCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ProjectOptions project;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "ROLE:VERSION, ROLE@channel:NAME, ROLE@sha256:...")
  String image;

  @Parameters(index = "1", paramLabel = "DEST", description = "REGISTRY/REPO[:TAG] (tag default: latest).")
  String dest;

  @Override
  public Integer call() {
    ImageRef ref = PromoteCommand.parse(image);
    Registries.Target target = Registries.resolve(dest, Registries.optionalSpec(project), ImageState.stateDir(project));
    RegistryClient.Pushed pushed = ImageState.with(project, true, images -> {
      CatalogImage img = images.resolve(ref);
      RegistryClient.Pushed p = new RegistryClient().push(images.store(), img.digest(), target.ref(), target.access());
      images.catalog().recordPush(p.digest(), p.ref().toString(), null);
      return p;
    });
    spec.commandLine().getOut().println("pushed " + image + " to " + pushed.ref() + " (" + pushed.digest() + ")");
    return HerdCli.OK;
  }
}
