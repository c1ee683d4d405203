package dev.herd.bake;

import dev.herd.bake.scan.LayerRef;
import dev.herd.bake.scan.ScanReport;
import dev.herd.bake.scan.SecretScanner;
import dev.herd.bake.scan.SecretsFoundException;
import dev.herd.common.secrets.SecretRules;
import dev.herd.image.layer.LayerBlob;
import java.util.ArrayList;
import java.util.List;

/**
 * The secret scan over every layer blob, so a secret deleted by a later layer still blocks the
 * bake. A layer found clean is clean in any image that contains it: the verdict is kept per
 * layer digest (and allowlist and rule set), so an incremental bake scans only its new layers.
 */
final class ScanStage implements BakeStep {
  @Override
  public Stage stage() {
    return Stage.SCAN;
  }

  @Override
  public String describe(BakeRun run) {
    return run.layers.size() + " layers";
  }

  @Override
  public Outcome run(BakeRun run) {
    String rules = StageKeys.records(run.role.secretScan().allow()) + SecretRules.IDS;
    List<SecretScanner.Layer> toScan = new ArrayList<>();
    List<String> toMark = new ArrayList<>();
    for (int i = 0; i < run.layers.size(); i++) {
      LayerBlob blob = run.layers.get(i);
      String key = StageKeys.of("scan-layer", blob.digest().toString(), rules);
      if (!run.cache.passed(key)) {
        toScan.add(new SecretScanner.Layer(LayerRef.of(i + 1, blob.digest().toString(), run.layerStages.get(i)),
            () -> run.images.store().openBlob(blob.digest())));
        toMark.add(key);
      }
    }
    if (toScan.isEmpty()) {
      return Outcome.cached("cached: every layer clean");
    }
    ScanReport scan = new SecretScanner(run.role.secretScan()).scanLayers(toScan);
    for (ScanReport.Allowed a : scan.allowed()) {
      run.listener.detail(Stage.SCAN, "allowed by secret_scan.allow (" + a.reason() + "): " + a.finding());
    }
    try {
      scan.throwIfFindings(run.role.name(), SecretScanner.producers(run.report));
    } catch (SecretsFoundException e) {
      throw new BakeException(e.getMessage(), e);
    }
    toMark.forEach(run.cache::markPassed);
    return Outcome.done(scan.stats().files() + " files in " + toScan.size() + " of " + run.layers.size() + " layers clean");
  }
}
