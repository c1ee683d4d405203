package dev.herd.bake.scan;

import dev.herd.bake.tree.Origin;
import dev.herd.spec.Location;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The result of scanning one or more layers. {@code findings} block the bake; {@code allowed}
 * were matched by the role's allowlist and are shown (with their reason) but do not block.
 */
public record ScanReport(List<Finding> findings, List<Allowed> allowed, Stats stats) {
  public static final String ADVICE =
      "deliver this value at runtime as a secret (`herd secret set ENV/ROLE/NAME`) instead of baking it";

  /** A finding the role's {@code secret_scan.allow} accepted. */
  public record Allowed(Finding finding, String reason, Location location) {}

  /**
   * @param truncatedFiles files larger than {@link SecretScanner#MAX_BYTES_PER_FILE}: only their
   *     first bytes were scanned
   */
  public record Stats(int files, long bytes, int binarySkipped, int truncatedFiles) {
    public static final Stats ZERO = new Stats(0, 0, 0, 0);

    Stats plus(Stats o) {
      return new Stats(files + o.files, bytes + o.bytes, binarySkipped + o.binarySkipped, truncatedFiles + o.truncatedFiles);
    }
  }

  public ScanReport {
    findings = List.copyOf(findings);
    allowed = List.copyOf(allowed);
  }

  public boolean isClean() {
    return findings.isEmpty();
  }

  ScanReport plus(ScanReport o) {
    List<Finding> f = new ArrayList<>(findings);
    f.addAll(o.findings);
    List<Allowed> a = new ArrayList<>(allowed);
    a.addAll(o.allowed);
    return new ScanReport(f, a, stats.plus(o.stats));
  }

  /**
   * The message that blocks the bake: one line per finding with its rule, file, layer and, when
   * known, the resource that produced the file; then what to do instead. Contains no secret.
   *
   * @param producedBy image path → the resource that wrote it (see {@link SecretScanner#producers})
   */
  public String blockingMessage(String roleName, Map<String, Origin> producedBy) {
    StringBuilder sb = new StringBuilder();
    sb.append("secret scan: ").append(findings.size()).append(findings.size() == 1 ? " finding blocks" : " findings block")
        .append(" the bake of role ").append(roleName).append('\n');
    for (Finding f : findings) {
      Optional<Origin> origin = Optional.ofNullable(producedBy.get(f.path()));
      sb.append("  ").append(origin.map(o -> o + ": ").orElse("")).append(f).append('\n');
    }
    sb.append(ADVICE.replace("ROLE", roleName))
        .append("; for a false positive add the path to roles.").append(roleName).append(".secret_scan.allow with a reason");
    return sb.toString();
  }

  /** Fails the bake when anything was found. */
  public void throwIfFindings(String roleName, Map<String, Origin> producedBy) {
    if (!isClean()) {
      throw new SecretsFoundException(blockingMessage(roleName, producedBy), findings);
    }
  }
}
