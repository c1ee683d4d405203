package dev.herd.bake.base;

import dev.herd.spec.Base;
import dev.herd.spec.Role;
import dev.herd.spec.SourcePaths;
import dev.herd.spec.Spec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Prepares the base of a role: scratch, Debian (mmdebstrap) or an imported image. */
public final class Bases {
  private final DebianBases debian;
  private final ImageImporter images;
  private final RegistryBases registry;

  public Bases(DebianBases debian, ImageImporter images) {
    this(debian, images, null);
  }

  /** @param registry bases from a registry ({@code base: {image: {ref: ...}}}); null: refused */
  public Bases(DebianBases debian, ImageImporter images, RegistryBases registry) {
    this.debian = debian;
    this.images = images;
    this.registry = registry;
  }


  /**
   * @param spec the whole spec: registries and their credentials for a registry base (null: none)
   * @param workDir the bake's private work directory; scratch and imported trees are made there
   *     (Debian trees live in the base cache)
   * @param lock herd.lock as read, if there is one
   * @param locked whether the bake runs with {@code --locked}
   * @param sources the project's files: an image base is read only through them
   */
  public BaseStages prepare(Spec spec, Role role, Path workDir, Optional<LockFile> lock, boolean locked,
      SourcePaths sources) {
    return switch (role.base()) {
      case Base.Registry r -> {
        refusePackages(role, "packages cannot be installed on an image base yet");
        if (registry == null || spec == null) {
          throw new BaseBuildException(role.location() + ": role " + role.name() + ": registry bases are not available in this bake");
        }
        Path rootfs = emptyDirectory(workDir.resolve("base-rootfs"));
        Optional<String> pin = lock.flatMap(l -> l.role(role.name())).map(RoleLock::image);
        RegistryBases.Prepared p = registry.prepare(spec, role.name(), r, pin, locked, rootfs);
        BuiltBase imported = new BuiltBase(p.manifest().toString(), rootfs, DpkgDatabase.installed(rootfs), Instant.EPOCH, false);
        yield new BaseStages(imported, imported, Optional.of(RoleLock.ofImage(p.pin())), p.lockChanged());
      }
      case Base.Debian d -> {
        DebianStages stages = debian.build(role.name(), d, role.packages(), lock, locked);
        yield new BaseStages(stages.base(), stages.packages(), Optional.of(stages.lock()), stages.lockChanged(), stages.security());
      }
      case Base.Scratch s -> {
        refusePackages(role, "a scratch base has no package manager");
        BuiltBase empty = new BuiltBase("scratch", emptyDirectory(workDir.resolve("base-rootfs")), List.of(), Instant.EPOCH, false);
        yield new BaseStages(empty, empty, Optional.empty(), false);
      }
      case Base.Image image -> {
        refusePackages(role, "packages cannot be installed on an image base yet");
        Path source;
        try {
          // Relative to herd.yaml (not the working directory), never outside it or in the state directory.
          source = sources.locate(image.path(), true);
        } catch (SourcePaths.Refused e) {
          throw new BaseBuildException(image.location() + ": roles." + role.name() + ".base.image.path: " + e.getMessage());
        }
        Path rootfs = emptyDirectory(workDir.resolve("base-rootfs"));
        String digest = images.unpack(image, source, rootfs);
        BuiltBase imported = new BuiltBase(digest, rootfs, DpkgDatabase.installed(rootfs), Instant.EPOCH, false);
        yield new BaseStages(imported, imported, Optional.empty(), false);
      }
    };
  }

  private static void refusePackages(Role role, String why) {
    if (!role.packages().isEmpty()) {
      throw new BaseBuildException(role.location() + ": role " + role.name() + " lists packages " + role.packages() + ", but " + why
          + "; use a debian base");
    }
  }

  private static Path emptyDirectory(Path dir) {
    try {
      if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        try (Stream<Path> children = Files.list(dir)) {
          if (children.findAny().isPresent()) {
            throw new BaseBuildException("work directory " + dir + " is not empty");
          }
        }
      }
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
    }
  }
}
