package dev.herd.bake;

import dev.herd.bake.base.DebianPackage;
import dev.herd.bake.base.DpkgDatabase;
import dev.herd.bake.sbom.SbomRequest;
import dev.herd.bake.sbom.SbomWriter;
import dev.herd.image.Images;
import dev.herd.image.oci.ImageConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The write: image config and manifest into the store, a catalog version when the digest is new, the SBOM beside it. */
final class WriteStage implements BakeStep {
  private static final Logger log = LoggerFactory.getLogger(Baker.class);

  @Override
  public Stage stage() {
    return Stage.WRITE;
  }

  @Override
  public String describe(BakeRun run) {
    return run.layers.size() + " layers";
  }

  @Override
  public Outcome run(BakeRun run) {
    String roleDigest = "sha256:" + StageKeys.of("role", run.keys().last(), run.role.command(), run.role.user(),
        run.role.workdir(), StageKeys.map(run.role.env()));
    ImageConfig config = Baker.imageConfig(run.spec, run.role, roleDigest, run.epoch, run.stages, run.layerStages);
    Map<String, String> annotations = new TreeMap<>();
    annotations.put("org.opencontainers.image.title", run.role.name());
    Images.Published published = run.images.publish(run.role.name(), config, run.layers, annotations,
        Baker.lineage(run.spec, run.stages));
    List<DebianPackage> packages = run.keys().allCached() ? run.stages.packages().packages() : DpkgDatabase.installed(run.staging);
    String sbom = SbomWriter.cycloneDxJson(new SbomRequest(run.role.name(),
        Optional.of(Integer.toString(published.image().version())), Baker.distro(run.role.base()), packages, List.of(), run.epoch,
        run.spec.digest(), run.stages.security()));
    run.images.putSbom(published.image().digest(), sbom.getBytes(StandardCharsets.UTF_8));
    log.info("baked {} {} ({} layers, {} reused)", published.image().ref(), published.image().digest(), run.layers.size(),
        run.reused);
    run.result = new BakeResult(published.image(), published.minted(), run.layers.size(), run.reused, run.changes);
    return Outcome.done(published.minted() ? "new version " + published.image().ref()
        : "same digest as " + published.image().ref() + ", no new version");
  }
}
