package dev.herd.bake.sbom;

import dev.herd.bake.base.DebianPackage;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What an image's SBOM describes.
 *
 * @param role the role the image was baked from (the SBOM's subject)
 * @param version the image version, when known at SBOM time
 * @param distro the Debian suite the packages come from (purl {@code distro}); empty for
 *     scratch and imported bases
 * @param packages the dpkg status of the final tree
 * @param files the files herd's resources wrote
 * @param epoch the bake's SOURCE_DATE_EPOCH, used as the SBOM timestamp
 * @param specDigest digest of the role's spec; with the contents it seeds the serial number
 * @param security packages whose version the bake resolved from a security archive; their
 *     components carry the property {@code herd:security=true}
 */
public record SbomRequest(
    String role,
    Optional<String> version,
    Optional<String> distro,
    List<DebianPackage> packages,
    List<FileDigest> files,
    Instant epoch,
    String specDigest,
    Set<DebianPackage> security) {
  public SbomRequest(String role, Optional<String> version, Optional<String> distro, List<DebianPackage> packages,
      List<FileDigest> files, Instant epoch, String specDigest) {
    this(role, version, distro, packages, files, epoch, specDigest, Set.of());
  }

  public SbomRequest {
    security = Set.copyOf(security);
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(distro, "distro");
    Objects.requireNonNull(epoch, "epoch");
    Objects.requireNonNull(specDigest, "specDigest");
    packages = packages.stream().sorted().distinct().toList();
    files = files.stream().sorted().distinct().toList();
    for (int i = 1; i < files.size(); i++) {
      if (files.get(i).path().equals(files.get(i - 1).path())) {
        throw new IllegalArgumentException("file " + files.get(i).path() + " is listed with two different digests");
      }
    }
  }
}
