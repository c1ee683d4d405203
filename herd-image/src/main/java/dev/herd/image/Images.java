package dev.herd.image;

import dev.herd.common.files.PrivateFiles;
import dev.herd.image.archive.ImageExporter;
import dev.herd.image.catalog.Catalog;
import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.catalog.GcPlan;
import dev.herd.image.catalog.ImageRef;
import dev.herd.image.catalog.InUse;
import dev.herd.image.catalog.Lineage;
import dev.herd.image.layer.LayerBlob;
import dev.herd.image.layer.LayerEntry;
import dev.herd.image.layer.LayerWriter;
import dev.herd.image.oci.Descriptor;
import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageConfig;
import dev.herd.image.oci.ImageException;
import dev.herd.image.oci.ImageStore;
import dev.herd.image.oci.Manifest;
import dev.herd.image.oci.MediaTypes;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * herd's images in one place: the OCI layout store at {@code <stateDir>/images} and the catalog in
 * {@code <stateDir>/herd.db}. Bake writes layers and publishes images here; engines export them;
 * the CLI lists, promotes, revokes and collects garbage.
 */
public final class Images implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Images.class);
  /** Unreferenced blobs younger than this survive gc: a bake may be writing them right now. */
  public static final Duration DEFAULT_GC_GRACE = Duration.ofHours(1);

  private final ImageStore store;
  private final Catalog catalog;

  public Images(ImageStore store, Catalog catalog) {
    this.store = store;
    this.catalog = catalog;
  }

  public static Images open(Path stateDir) {
    Path dir = stateDir.toAbsolutePath().normalize();
    PrivateFiles.openStateDir(dir);
    return new Images(ImageStore.open(dir.resolve("images")), Catalog.open(dir.resolve(dev.herd.db.Db.FILE_NAME)));
  }

  public ImageStore store() {
    return store;
  }

  public Catalog catalog() {
    return catalog;
  }

  /** Writes a reproducible layer into the store (see {@link LayerWriter}). */
  public LayerBlob writeLayer(List<LayerEntry> entries, Instant epoch) {
    return new LayerWriter(epoch).write(entries, store);
  }

  /** The outcome of {@link #publish}: the catalog entry and whether it is a new version. */
  public record Published(CatalogImage image, Descriptor manifest, boolean minted) {}

  /**
   * Writes config and manifest for {@code layers} (already in the store), registers the image as
   * the role's next version (or finds the version that already has this digest) and names it
   * {@code role:version} in index.json. The config's diff IDs are taken from the layers.
   */
  public Published publish(String role, ImageConfig config, List<LayerBlob> layers, Map<String, String> annotations, Lineage lineage) {
    ImageConfig cfg = config.withDiffIds(layers.stream().map(LayerBlob::diffId).toList());
    Descriptor manifest = store.putImage(cfg, layers.stream().map(LayerBlob::descriptor).toList(), annotations);
    long size = ImageStore.imageSize(store.manifest(manifest.digest()), manifest.size());
    Catalog.Registration reg = catalog.register(role, manifest.digest(), size, lineage);
    store.tag(reg.image().ref(), manifest);
    if (reg.minted()) {
      log.info("published {} ({}, {} layers, {} bytes)", reg.image().ref(), manifest.digest(), layers.size(), size);
    } else {
      log.info("bake of {} gave the same digest as {}; no new version", role, reg.image().ref());
    }
    return new Published(reg.image(), manifest, reg.minted());
  }

  /** For looking at an image (revoked ones included). */
  public CatalogImage find(ImageRef ref) {
    return catalog.find(ref);
  }

  /** For deploying: never a revoked image. */
  public CatalogImage resolve(ImageRef ref) {
    return catalog.resolve(ref);
  }

  public Manifest manifest(CatalogImage image) {
    return store.manifest(image.digest());
  }

  public ImageConfig config(CatalogImage image) {
    return store.config(manifest(image));
  }

  /** Stores an SBOM (CycloneDX JSON) beside the image: its own blob, linked in the catalog. */
  public Digest putSbom(Digest manifest, byte[] sbom) {
    if (!store.hasBlob(manifest)) {
      throw new ImageException("no image manifest " + manifest + " in the store; publish the image before its SBOM");
    }
    Descriptor d = store.putBlob(MediaTypes.CYCLONEDX_JSON, sbom);
    catalog.putSbom(manifest, d.digest(), MediaTypes.CYCLONEDX_JSON);
    return d.digest();
  }

  public Optional<byte[]> sbom(Digest manifest) {
    return catalog.sbom(manifest).filter(store::hasBlob).map(store::readBlob);
  }

  /** Writes the image as an OCI archive (a tar of a one-image layout) named {@code refName}. */
  public void exportOciArchive(CatalogImage image, String refName, OutputStream out) throws IOException {
    ImageExporter.writeOciArchive(store, image.digest(), refName, out);
  }

  /** Writes the image in {@code docker save} format, tagged {@code repoTag}. */
  public void exportDockerArchive(CatalogImage image, String repoTag, OutputStream out) throws IOException {
    ImageExporter.writeDockerArchive(store, image.digest(), repoTag, out);
  }

  public GcResult gc(int keep, InUse inUse, boolean dryRun) {
    return gc(keep, inUse, dryRun, DEFAULT_GC_GRACE);
  }

  /**
   * Keeps per role the newest {@code keep} non-revoked versions, everything on a channel and
   * everything {@code inUse} claims; removes the other versions from the catalog and index.json,
   * then deletes blobs no kept manifest references (and not younger than {@code grace}). If a
   * kept manifest cannot be read, no blob is deleted.
   */
  public GcResult gc(int keep, InUse inUse, boolean dryRun, Duration grace) {
    GcPlan plan = catalog.planGc(keep, inUse);
    Set<String> removedRefs = new HashSet<>();
    plan.remove().forEach(i -> removedRefs.add(i.ref()));
    if (!dryRun) {
      catalog.markDeleted(plan.remove());
      store.untag(removedRefs);
    }
    Set<Digest> removedDigests = new HashSet<>();
    plan.remove().forEach(i -> removedDigests.add(i.digest()));
    Set<Digest> roots = new HashSet<>();
    plan.keep().keySet().forEach(i -> roots.add(i.digest()));
    for (Map.Entry<String, Descriptor> ref : store.refs().entrySet()) {
      if (!removedRefs.contains(ref.getKey())) {
        roots.add(ref.getValue().digest());
      }
    }
    for (Descriptor d : store.indexEntries()) {
      if (d.annotations().get(MediaTypes.REF_NAME) == null) {
        roots.add(d.digest()); // unnamed entries belong to someone else; keep them
      }
    }
    Set<Digest> referenced = new HashSet<>();
    for (Digest m : roots) {
      if (!store.hasBlob(m)) {
        throw new ImageException("kept image manifest " + m + " is missing from " + store.root() + "; gc deleted no blobs");
      }
      Manifest manifest = store.manifest(m);
      referenced.add(m);
      referenced.add(manifest.config().digest());
      manifest.layers().forEach(l -> referenced.add(l.digest()));
      catalog.sbom(m).ifPresent(referenced::add);
    }
    Instant cutoff = Instant.now().minus(grace);
    List<Digest> deleted = new ArrayList<>();
    long freed = 0;
    int young = 0;
    for (Digest b : store.blobs()) {
      if (referenced.contains(b)) {
        continue;
      }
      if (!store.blobModified(b).isBefore(cutoff)) {
        young++;
        continue;
      }
      freed += store.blobSize(b);
      deleted.add(b);
      if (!dryRun) {
        store.deleteBlob(b);
      }
    }
    if (!dryRun) {
      store.sweepTemp(grace);
      log.info("gc removed {} images and {} blobs ({} bytes); kept {} images", plan.remove().size(), deleted.size(), freed, plan.keep().size());
    }
    return new GcResult(plan.remove(), plan.keep(), deleted, freed, young, dryRun);
  }

  @Override
  public void close() {
    catalog.close();
  }
}
