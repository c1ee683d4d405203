package dev.herd.cli;

import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.catalog.ImageRef;
import dev.herd.image.oci.ImageException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herd promote web:4 prod}: point a channel at an image. */
@Command(name = "promote", description = "Point a channel (dev, prod...) of a role at one of its images.")
public final class PromoteCommand implements Callable<Integer> {
  @Mixin ProjectOptions project;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "ROLE:VERSION (or ROLE:latest, ROLE@sha256:...).")
  String image;

  @Parameters(index = "1", paramLabel = "CHANNEL", description = "Channel name, e.g. prod.")
  String channel;

  @Override
  public Integer call() {
    String[] previous = new String[1];
    ImageRef ref = parse(image);
    // A channel that pushes (channels.NAME.push) publishes first: if the push fails, the channel does not move.
    java.util.Optional<dev.herd.spec.Spec> loaded = Registries.optionalSpec(project);
    java.util.Optional<String> destination = loaded.map(s -> s.channels().get(channel))
        .flatMap(c -> c.destination(ref.role()));
    Registries.Target target = destination.map(d -> Registries.resolve(d, loaded, ImageState.stateDir(project))).orElse(null);
    String[] pushed = new String[1];
    CatalogImage promoted = ImageState.with(project, true, images -> {
      if (target != null) {
        CatalogImage img = images.resolve(ref);
        dev.herd.image.registry.RegistryClient.Pushed p =
            new dev.herd.image.registry.RegistryClient().push(images.store(), img.digest(), target.ref(), target.access());
        images.catalog().recordPush(p.digest(), p.ref().toString(), channel);
        pushed[0] = p.ref() + " (" + p.digest() + ")";
      }
      Integer was = images.catalog().channels(ref.role()).get(channel);
      previous[0] = was == null ? null : ref.role() + ":" + was;
      return images.catalog().promote(ref, channel);
    });
    spec.commandLine().getOut().println("promoted " + promoted.ref() + " to " + channel
        + (previous[0] == null ? " (new channel)" : " (was " + previous[0] + ")")
        + (pushed[0] == null ? "" : "; pushed to " + pushed[0]));
    return HerdCli.OK;
  }

  static ImageRef parse(String s) {
    try {
      return ImageRef.parse(s);
    } catch (ImageException e) {
      throw new CliFailure(HerdCli.USAGE, e.getMessage());
    }
  }
}
