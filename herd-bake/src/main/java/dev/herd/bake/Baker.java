package dev.herd.bake;

import dev.herd.bake.base.BaseCache;
import dev.herd.bake.base.BaseRecipe;
import dev.herd.bake.base.BaseStages;
import dev.herd.bake.base.Bases;
import dev.herd.bake.base.DebianBases;
import dev.herd.bake.base.DebianPackage;
import dev.herd.bake.base.DpkgDatabase;
import dev.herd.bake.base.LockFile;
import dev.herd.bake.base.PackageResolver;
import dev.herd.bake.run.ProcessRunner;
import dev.herd.bake.run.RunResult;
import dev.herd.bake.run.RunStepExecutor;
import dev.herd.bake.run.SandboxCommand;
import dev.herd.bake.scan.LayerRef;
import dev.herd.bake.scan.ScanReport;
import dev.herd.common.secrets.SecretRules;
import dev.herd.bake.scan.SecretScanner;
import dev.herd.bake.scan.SecretsFoundException;
import dev.herd.bake.tree.ResourceContent;
import dev.herd.bake.verify.CommandRunner;
import dev.herd.bake.verify.ImageTestsFailedException;
import dev.herd.bake.verify.ImageVerifier;
import dev.herd.bake.verify.VerifyReport;
import dev.herd.bake.sbom.FileDigest;
import dev.herd.bake.sbom.SbomRequest;
import dev.herd.bake.sbom.SbomWriter;
import dev.herd.bake.tree.Applier;
import dev.herd.bake.tree.ApplyContext;
import dev.herd.bake.tree.Change;
import dev.herd.bake.tree.ChangeReport;
import dev.herd.bake.tree.ImageRoot;
import dev.herd.bake.tree.TemplateVars;
import dev.herd.bake.tree.TreeMetadata;
import dev.herd.common.files.PrivateFiles;
import dev.herd.image.Images;
import dev.herd.image.archive.ImageImporter;
import dev.herd.image.archive.ImportLimits;
import dev.herd.image.archive.ImportedImage;
import dev.herd.image.archive.SourceFormat;
import dev.herd.image.catalog.Lineage;
import dev.herd.image.layer.Changeset;
import dev.herd.image.layer.LayerBlob;
import dev.herd.image.layer.LayerEntry;
import dev.herd.image.layer.Tree;
import dev.herd.image.oci.ImageConfig;
import dev.herd.spec.Base;
import dev.herd.spec.Role;
import dev.herd.spec.RunStep;
import dev.herd.spec.SourcePaths;
import dev.herd.spec.Spec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a role into an image by running its stages in order (one class each: {@link ResolveStage},
 * {@link BaseStage}, {@link PackagesStage}, {@link ResourcesStage}, {@link RunStepStage},
 * {@link TestsStage}, {@link ScanStage}, {@link WriteStage}): base → packages → resources → run
 * steps, one cached layer per stage, then image tests, the secret scan over every layer, and the
 * write into the store.
 *
 * <p>Each stage's layer is cached by a key over its inputs and the key beneath it: a no-op
 * rebake touches no tree at all, and changing one template rebuilds the resources layer and
 * the run steps after it. The staging tree is only materialised when some stage after the
 * packages has to be rebuilt (or the image tests have not passed for this exact content).
 */
public final class Baker {
  private static final Logger log = LoggerFactory.getLogger(Baker.class);

  private final Images images;
  private final Bases bases;
  private final ProcessRunner runner;

  public Baker(Images images, Bases bases, ProcessRunner runner) {
    this.images = images;
    this.bases = bases;
    this.runner = runner;
  }

  /** The bake herd uses: Debian bases via mmdebstrap (cached), image bases via safe import. */
  public static Baker standard(Images images) {
    return standard(images, null);
  }

  /**
   * The same, with registry bases reached with {@code logins} (the credentials herd login stored
   * for a registry that declares {@code credentials:}; null: anonymous only).
   */
  public static Baker standard(Images images, java.util.function.Function<dev.herd.spec.Registry, dev.herd.image.registry.Credentials> logins) {
    return new Baker(images, new Bases(DebianBases.standard(), Baker::importBase,
        new dev.herd.bake.base.RegistryBases(images.store(), new dev.herd.image.registry.RegistryClient(), logins)), new ProcessRunner());
  }

  /** The same with the shareable caches (base trees, package indexes) under {@code cacheHome}. */
  public static Baker withCache(Images images, Path cacheHome) {
    ProcessRunner runner = new ProcessRunner();
    DebianBases debian = new DebianBases(new BaseCache(cacheHome.resolve("bases")),
        new PackageResolver(cacheHome.resolve("apt"), runner), runner, BaseRecipe.hostArchitecture());
    return new Baker(images, new Bases(debian, Baker::importBase), runner);
  }

  private static String importBase(Base.Image image, Path source, Path rootfs) {
    SourceFormat format = switch (image.format()) {
      case OCI_LAYOUT -> SourceFormat.OCI_LAYOUT;
      case OCI_ARCHIVE -> SourceFormat.OCI_ARCHIVE;
      case DOCKER_ARCHIVE -> SourceFormat.DOCKER_ARCHIVE;
    };
    ImportedImage imported = ImageImporter.unpack(
        source, format, image.ref().orElse(null), rootfs, image.allowDevices(), ImportLimits.DEFAULT);
    return imported.baseDigest().toString();
  }

  public BakeResult bake(BakeRequest request, BakeListener listener) {
    Spec spec = request.spec();
    Role role = spec.role(request.role());
    Path work = BakeWork.of(request.stateDir(), role.name());
    for (Path stale : BakeWork.sweep(work.getParent())) {
      log.info("removed {}, left by a bake that was killed", stale);
    }
    LayerCache cache = new LayerCache(request.stateDir().resolve("bake").resolve("layers"), images.store());
    try {
      PrivateFiles.directories(work);
      return bake(request, role, work, cache, listener);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the bake's work directory " + work, e);
    } finally {
      deleteTree(work);
    }
  }

  /**
   * The stage runner: each stage says what it is about to do, does it and says what it did; the
   * runner times it and tells the listener. Stages hand their results on in a {@link BakeRun}.
   */
  private BakeResult bake(BakeRequest request, Role role, Path work, LayerCache cache, BakeListener listener) {
    BakeRun run = new BakeRun(request, role, work, cache, listener, images, bases, runner);
    for (BakeStep step : stages(role)) {
      if (!step.applies(run)) {
        continue;
      }
      listener.started(step.stage(), step.describe(run));
      long t0 = System.nanoTime();
      BakeStep.Outcome outcome = step.run(run);
      listener.finished(step.stage(), outcome.summary(), outcome.timed() ? since(t0) : Duration.ZERO);
    }
    return run.result;
  }

  /** A bake's stages, in order: resolve, base, packages, resources, one per run step, tests, scan, write. */
  static List<BakeStep> stages(Role role) {
    List<BakeStep> out = new ArrayList<>(List.of(new ResolveStage(), new BaseStage(), new PackagesStage(), new ResourcesStage()));
    for (int i = 0; i < role.run().size(); i++) {
      out.add(new RunStepStage(i));
    }
    out.addAll(List.of(new TestsStage(), new ScanStage(), new WriteStage()));
    return out;
  }

  /**
   * Entries of the resources layer with owner and mode from the metadata the resources recorded,
   * including paths whose only change is their owner or mode (invisible on disk when herd does not
   * run as root and cannot chown).
   */
  static List<LayerEntry> withMetadata(List<LayerEntry> changed, Tree upper, TreeMetadata metadata) {
    Map<String, LayerEntry> byPath = new LinkedHashMap<>();
    for (LayerEntry e : changed) {
      byPath.put(e.path(), e);
    }
    Set<String> extra = new HashSet<>();
    for (String imagePath : metadata.entries().keySet()) {
      String p = imagePath.startsWith("/") ? imagePath.substring(1) : imagePath;
      if (!p.isEmpty() && !byPath.containsKey(p) && upper.get(p) != null) {
        extra.add(p);
      }
    }
    for (LayerEntry e : upper.entries(extra)) {
      byPath.put(e.path(), e);
    }
    List<LayerEntry> out = new ArrayList<>();
    for (LayerEntry e : byPath.values()) {
      Optional<TreeMetadata.Attributes> a = e.isWhiteout() ? Optional.empty() : metadata.get("/" + e.path());
      if (a.isPresent() && e.kind() != LayerEntry.Kind.SYMLINK) {
        TreeMetadata.Attributes at = a.get();
        e = new LayerEntry(e.path(), e.kind(), at.mode() & 07777, at.uid(), at.gid(), e.size(), e.source(),
            e.linkTarget(), e.devMajor(), e.devMinor());
      }
      out.add(e);
    }
    return out;
  }

  /** As root, make the disk agree with the metadata so run steps and tests see real owners. */
  static void applyOwnershipOnDisk(Path staging, TreeMetadata metadata, boolean linked) {
    if (!"root".equals(System.getProperty("user.name"))) {
      return;
    }
    for (Map.Entry<String, TreeMetadata.Attributes> e : metadata.entries().entrySet()) {
      Path p = staging.resolve(e.getKey().replaceFirst("^/+", ""));
      try {
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
          if (linked) {
            dev.herd.bake.tree.OwnInode.own(p); // never chown the cached tree's inode
          }
          Files.setAttribute(p, "unix:uid", e.getValue().uid(), LinkOption.NOFOLLOW_LINKS);
          Files.setAttribute(p, "unix:gid", e.getValue().gid(), LinkOption.NOFOLLOW_LINKS);
        }
      } catch (IOException | UnsupportedOperationException ex) {
        log.debug("cannot chown {} in the staging tree: {}", p, ex.toString());
      }
    }
  }

  /**
   * Labels carry what determines the content: role, the digest of the role's part of the spec,
   * the base. Not the version or the git commit: either would make every rebake a new image and
   * break "same spec, same digest". Those are lineage in the catalog ({@code herd image show}).
   */
  static ImageConfig imageConfig(Spec spec, Role role, String roleDigest, Instant epoch, BaseStages stages,
      List<String> layerStages) {
    ImageConfig.Builder b = ImageConfig.builder()
        .architecture(ociArchitecture())
        .os("linux")
        .created(epoch)
        .cmd(role.command());
    role.env().forEach(b::env);
    role.user().ifPresent(b::user);
    role.workdir().ifPresent(b::workingDir);
    b.label("dev.herd.role", role.name());
    b.label("dev.herd.project", spec.project().name());
    b.label("dev.herd.spec-digest", roleDigest);
    b.label("dev.herd.base", stages.base().key());
    for (String s : layerStages) {
      b.history(new ImageConfig.History(epoch, "herd bake: " + s, "", false));
    }
    return b.build();
  }

  static Lineage lineage(Spec spec, BaseStages stages) {
    return new Lineage(spec.digest(), GitHead.commit(spec.dir()).orElse(""), stages.base().key());
  }

  static TemplateVars templateVars(Spec spec, Role role, Instant epoch) {
    // No role.version: the version is known only after the digest, and a fact that changed on
    // every bake would make every bake different. Templates get what is fixed before baking.
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("role", Map.of("name", role.name()));
    facts.put("project", Map.of("name", spec.project().name()));
    facts.put("image", Map.of("created", epoch.toString()));
    return new TemplateVars(role.vars(), facts);
  }

  /** SOURCE_DATE_EPOCH from the environment wins over the epoch derived from the packages. */
  static Optional<Instant> sourceDateEpoch() {
    String v = System.getenv("SOURCE_DATE_EPOCH");
    if (v == null || v.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.ofEpochSecond(Long.parseLong(v.trim())));
    } catch (NumberFormatException e) {
      throw new BakeException("SOURCE_DATE_EPOCH must be seconds since 1970, got \"" + v + "\"");
    }
  }

  static Optional<String> distro(Base base) {
    return base instanceof Base.Debian d ? Optional.of(d.suite()) : Optional.empty();
  }

  static boolean allowDevices(Role role) {
    return role.base() instanceof Base.Image i && i.allowDevices() || role.base() instanceof Base.Registry r && r.allowDevices();
  }

  private static String ociArchitecture() {
    String arch = System.getProperty("os.arch");
    return switch (arch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> arch;
    };
  }

  static String describe(Base base, List<String> packages) {
    String b = switch (base) {
      case Base.Scratch s -> "scratch";
      case Base.Debian d -> "debian " + d.suite() + " (" + d.variant().name().toLowerCase() + ") " + d.packages();
      case Base.Image i -> "image " + i.path();
      case Base.Registry r -> "image " + r.ref();
    };
    return packages.isEmpty() ? b : b + " + " + packages;
  }

  static String stepName(RunStep step, int i) {
    return step.name() == null || step.name().isBlank() ? "run[" + i + "]" : step.name();
  }

  static String summary(LayerBlob blob, boolean cached) {
    return (cached ? "cached " : "") + blob.digest().shortHex() + " (" + blob.size() + " bytes)";
  }

  private static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  static void deleteTree(Path p) {
    if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      dev.herd.bake.base.Trees.deleteRecursively(p);
    }
  }

}
