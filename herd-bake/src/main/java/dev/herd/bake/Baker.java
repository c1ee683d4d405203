package dev.herd.bake;

import dev.herd.bake.base.BaseCache;
import dev.herd.bake.base.BaseRecipe;
import dev.herd.bake.base.BaseStages;
import dev.herd.bake.base.Bases;
import dev.herd.bake.base.DebianBases;
import dev.herd.bake.base.DebianPackage;
import dev.herd.bake.base.DpkgStatus;
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
 * Turns a role into an image: base → packages → resources → run steps, one cached layer per
 * stage, then image tests, the secret scan over every layer, and the write into the store.
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

  private BakeResult bake(BakeRequest request, Role role, Path work, LayerCache cache, BakeListener listener) {
    Spec spec = request.spec();
    Path lockPath = LockFile.besideSpec(spec.file());

    // -- resolving, base, packages (resolution, mmdebstrap and the base cache live in Bases)
    long t0 = System.nanoTime();
    listener.started(Stage.RESOLVE, describe(role.base(), role.packages()));
    BaseStages stages = bases.prepare(spec, role, work, LockFile.read(lockPath), request.locked(),
        new SourcePaths(spec.dir(), request.stateDir()));
    listener.finished(Stage.RESOLVE, stages.packages().packages().size() + " packages", since(t0));
    if (stages.lock().isPresent() && stages.lockChanged() && !request.locked()) {
      LockFile lock = LockFile.read(lockPath).orElse(LockFile.empty()).with(role.name(), stages.lock().get());
      lock.write(lockPath);
      listener.detail(Stage.RESOLVE, "wrote " + spec.dir().relativize(lockPath) + " for role " + role.name());
    }
    Instant epoch = sourceDateEpoch().orElse(stages.packages().epoch());

    List<LayerBlob> layers = new ArrayList<>();
    List<String> layerStages = new ArrayList<>();
    int reused = 0;

    t0 = System.nanoTime();
    listener.started(Stage.BASE, stages.base().cacheHit() ? "base tree from cache" : "base tree built");
    String baseKey = StageKeys.of("base", "", stages.base().key(), epoch);
    Optional<LayerBlob> baseLayer = cache.get(baseKey);
    if (baseLayer.isPresent()) {
      reused++;
    } else {
      baseLayer = Optional.of(writeLayer(cache, baseKey, Tree.scan(stages.base().rootfs(), allowDevices(role)).entries(), epoch));
    }
    layers.add(baseLayer.get());
    layerStages.add(Stage.BASE.label());
    listener.finished(Stage.BASE, summary(baseLayer.get(), reused == 1), since(t0));

    String below = baseKey;
    boolean separatePackages = !stages.packages().rootfs().equals(stages.base().rootfs());
    if (separatePackages) {
      t0 = System.nanoTime();
      listener.started(Stage.PACKAGES, String.join(", ", role.packages()));
      String key = StageKeys.of("packages", below, stages.packages().key());
      Optional<LayerBlob> hit = cache.get(key);
      LayerBlob blob = hit.orElseGet(() -> writeLayer(cache, key,
          Changeset.between(stages.base().rootfs(), stages.packages().rootfs(), allowDevices(role)), epoch));
      reused += hit.isPresent() ? 1 : 0;
      layers.add(blob);
      layerStages.add(Stage.PACKAGES.label());
      listener.finished(Stage.PACKAGES, summary(blob, hit.isPresent()), since(t0));
      below = key;
    }

    // -- keys of everything after the packages, so we know whether a tree is needed at all
    TemplateVars vars = templateVars(spec, role, epoch);
    String resourcesKey = StageKeys.of("resources", below, StageKeys.resources(spec, role.resources()),
        StageKeys.map(vars.vars()), StageKeys.map(vars.facts()));
    List<String> runKeys = new ArrayList<>();
    String prev = resourcesKey;
    for (RunStep step : role.run()) {
      prev = StageKeys.of("run", prev, step.shell(), step.network(), step.timeout());
      runKeys.add(prev);
    }
    String testsKey = StageKeys.of("tests", prev, StageKeys.records(role.tests()));
    boolean allCached = cache.get(resourcesKey).isPresent() && runKeys.stream().allMatch(k -> cache.get(k).isPresent())
        && cache.passed(testsKey);

    List<String> changes = new ArrayList<>();
    Path staging = work.resolve("rootfs");
    TreeMetadata metadata = new TreeMetadata();
    ChangeReport report = new ChangeReport(List.of());
    ApplyContext applyContext = new ApplyContext(spec.dir(), request.stateDir(), vars, epoch);
    if (allCached) {
      listener.started(Stage.RESOURCES, role.resources().size() + " resources");
      layers.add(cache.get(resourcesKey).get());
      layerStages.add(Stage.RESOURCES.label());
      reused++;
      listener.finished(Stage.RESOURCES, "cached", Duration.ZERO);
      for (int i = 0; i < role.run().size(); i++) {
        listener.started(Stage.RUN, stepName(role.run().get(i), i));
        layers.add(cache.get(runKeys.get(i)).get());
        layerStages.add(Stage.RUN.label() + " " + stepName(role.run().get(i), i));
        reused++;
        listener.finished(Stage.RUN, "cached", Duration.ZERO);
      }
    } else {
      copyTree(stages.packages().rootfs(), staging);
      t0 = System.nanoTime();
      listener.started(Stage.RESOURCES, role.resources().size() + " resources");
      report = new Applier(ImageRoot.at(staging), metadata, applyContext).apply(role.resources());
      for (Change c : report.changed()) {
        listener.detail(Stage.RESOURCES, c.toString());
        changes.add(c.toString());
      }
      applyOwnershipOnDisk(staging, metadata);
      Optional<LayerBlob> hit = cache.get(resourcesKey);
      TreeMetadata meta = metadata;
      LayerBlob blob = hit.orElseGet(() -> {
        Tree upper = Tree.scan(staging, allowDevices(role));
        return writeLayer(cache, resourcesKey, withMetadata(
            Changeset.between(Tree.scan(stages.packages().rootfs(), allowDevices(role)), upper), upper, meta), epoch);
      });
      reused += hit.isPresent() ? 1 : 0;
      layers.add(blob);
      layerStages.add(Stage.RESOURCES.label());
      listener.finished(Stage.RESOURCES, report.changed().size() + " changed, "
          + (report.changes().size() - report.changed().size()) + " unchanged; " + summary(blob, hit.isPresent()), since(t0));

      RunStepExecutor executor = new RunStepExecutor(runner, Map.of("herd.bake", role.name()));
      for (int i = 0; i < role.run().size(); i++) {
        RunStep step = role.run().get(i);
        t0 = System.nanoTime();
        listener.started(Stage.RUN, stepName(step, i));
        Path before = work.resolve("before-run-" + i);
        copyTree(staging, before);
        RunResult result = executor.run(step, staging, role.env());
        for (String line : (result.stdout() + result.stderr()).lines().toList()) {
          listener.detail(Stage.RUN, line);
        }
        String key = runKeys.get(i);
        Optional<LayerBlob> runHit = cache.get(key);
        LayerBlob runBlob = runHit.orElseGet(() -> writeLayer(cache, key,
            Changeset.between(before, staging, allowDevices(role)), epoch));
        deleteTree(before);
        reused += runHit.isPresent() ? 1 : 0;
        layers.add(runBlob);
        layerStages.add(Stage.RUN.label() + " " + stepName(step, i));
        listener.finished(Stage.RUN, summary(runBlob, runHit.isPresent()), since(t0));
      }
    }

    // -- tests: the role's own plus those implied by its resources, on the final tree
    t0 = System.nanoTime();
    listener.started(Stage.TESTS, role.tests().size() + " declared tests + implied checks");
    if (allCached) {
      listener.finished(Stage.TESTS, "cached: passed for this exact content", Duration.ZERO);
    } else {
      SandboxCommand sandbox = new SandboxCommand(runner, Map.of("herd.bake", role.name()));
      CommandRunner commands = (rootfs, command, timeout) -> {
        SandboxCommand.Result r = sandbox.run(rootfs, command, timeout);
        if (r.timedOut()) {
          throw new CommandRunner.CommandException(String.join(" ", command) + " timed out after " + timeout);
        }
        return new CommandRunner.Result(r.exitStatus(), r.stdout(), r.stderr());
      };
      VerifyReport verified = new ImageVerifier(ImageRoot.at(staging), metadata, new ResourceContent(applyContext),
          Optional.of(commands)).verify(role);
      request.junitXml().ifPresent(verified::writeJUnitXml);
      try {
        verified.throwIfFailed();
      } catch (ImageTestsFailedException e) {
        throw new BakeException(e.getMessage(), e);
      }
      cache.markPassed(testsKey);
      listener.finished(Stage.TESTS, verified.results().size() + " passed", since(t0));
    }

    // -- scan: every layer blob, so a secret deleted by a later layer still blocks the bake
    t0 = System.nanoTime();
    listener.started(Stage.SCAN, layers.size() + " layers");
    // A layer found clean is clean in any image that contains it: the verdict is cached per layer
    // digest (and allowlist and rule set), so an incremental bake scans only its new layers.
    String scanRules = StageKeys.records(role.secretScan().allow()) + SecretRules.IDS;
    List<SecretScanner.Layer> toScan = new ArrayList<>();
    List<String> toMark = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      LayerBlob blob = layers.get(i);
      String key = StageKeys.of("scan-layer", blob.digest().toString(), scanRules);
      if (!cache.passed(key)) {
        toScan.add(new SecretScanner.Layer(LayerRef.of(i + 1, blob.digest().toString(), layerStages.get(i)),
            () -> images.store().openBlob(blob.digest())));
        toMark.add(key);
      }
    }
    if (toScan.isEmpty()) {
      listener.finished(Stage.SCAN, "cached: every layer clean", Duration.ZERO);
    } else {
      ScanReport scan = new SecretScanner(role.secretScan()).scanLayers(toScan);
      for (ScanReport.Allowed a : scan.allowed()) {
        listener.detail(Stage.SCAN, "allowed by secret_scan.allow (" + a.reason() + "): " + a.finding());
      }
      try {
        scan.throwIfFindings(role.name(), SecretScanner.producers(report));
      } catch (SecretsFoundException e) {
        throw new BakeException(e.getMessage(), e);
      }
      toMark.forEach(cache::markPassed);
      listener.finished(Stage.SCAN, scan.stats().files() + " files in " + toScan.size() + " of " + layers.size()
          + " layers clean", since(t0));
    }

    // -- write: config, manifest, catalog version, SBOM
    t0 = System.nanoTime();
    listener.started(Stage.WRITE, layers.size() + " layers");
    String roleDigest = "sha256:" + StageKeys.of("role", prev, role.command(), role.user(), role.workdir(), StageKeys.map(role.env()));
    ImageConfig config = imageConfig(spec, role, roleDigest, epoch, stages, layerStages);
    Map<String, String> annotations = new TreeMap<>();
    annotations.put("org.opencontainers.image.title", role.name());
    Images.Published published = images.publish(role.name(), config, layers, annotations, lineage(spec, stages));
    List<DebianPackage> packages = allCached ? stages.packages().packages() : DpkgStatus.installed(staging);
    String sbom = SbomWriter.cycloneDxJson(new SbomRequest(role.name(), Optional.of(Integer.toString(published.image().version())),
        distro(role.base()), packages, List.of(), epoch, spec.digest()));
    images.putSbom(published.image().digest(), sbom.getBytes(StandardCharsets.UTF_8));
    listener.finished(Stage.WRITE, published.minted() ? "new version " + published.image().ref()
        : "same digest as " + published.image().ref() + ", no new version", since(t0));
    log.info("baked {} {} ({} layers, {} reused)", published.image().ref(), published.image().digest(), layers.size(), reused);
    return new BakeResult(published.image(), published.minted(), layers.size(), reused, changes);
  }

  private LayerBlob writeLayer(LayerCache cache, String key, List<LayerEntry> entries, Instant epoch) {
    LayerBlob blob = images.writeLayer(entries, epoch);
    cache.put(key, blob);
    return blob;
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
  private static void applyOwnershipOnDisk(Path staging, TreeMetadata metadata) {
    if (!"root".equals(System.getProperty("user.name"))) {
      return;
    }
    for (Map.Entry<String, TreeMetadata.Attributes> e : metadata.entries().entrySet()) {
      Path p = staging.resolve(e.getKey().replaceFirst("^/+", ""));
      try {
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
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
  private ImageConfig imageConfig(Spec spec, Role role, String roleDigest, Instant epoch, BaseStages stages,
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

  private static Lineage lineage(Spec spec, BaseStages stages) {
    return new Lineage(spec.digest(), GitHead.commit(spec.dir()).orElse(""), stages.base().key());
  }

  private static TemplateVars templateVars(Spec spec, Role role, Instant epoch) {
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

  private static Optional<String> distro(Base base) {
    return base instanceof Base.Debian d ? Optional.of(d.suite()) : Optional.empty();
  }

  private static boolean allowDevices(Role role) {
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

  private static String describe(Base base, List<String> packages) {
    String b = switch (base) {
      case Base.Scratch s -> "scratch";
      case Base.Debian d -> "debian " + d.suite() + " (" + d.variant().name().toLowerCase() + ") " + d.packages();
      case Base.Image i -> "image " + i.path();
      case Base.Registry r -> "image " + r.ref();
    };
    return packages.isEmpty() ? b : b + " + " + packages;
  }

  private static String stepName(RunStep step, int i) {
    return step.name() == null || step.name().isBlank() ? "run[" + i + "]" : step.name();
  }

  private static String summary(LayerBlob blob, boolean cached) {
    return (cached ? "cached " : "") + blob.digest().shortHex() + " (" + blob.size() + " bytes)";
  }

  private static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  /** cp -a keeps owners, modes, links and special files exactly; Java's copy would not. */
  private void copyTree(Path from, Path to) {
    deleteTree(to);
    try {
      Files.createDirectories(to);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + to, e);
    }
    var result = runner.run(List.of("cp", "-a", "--reflink=auto", from + "/.", to + "/"), Map.of(), Duration.ofMinutes(10));
    if (!result.succeeded()) {
      throw new BakeException("cannot copy " + from + " to " + to + ": " + result.tail(5));
    }
  }

  private static void deleteTree(Path p) {
    if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      dev.herd.bake.base.Trees.deleteRecursively(p);
    }
  }

}
