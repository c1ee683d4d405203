package dev.herd.image.catalog;

/**
 * Where an image came from: the digest of the role's spec, the git commit of the project, the
 * digest of the base image. Unknown parts are empty strings.
 */
public record Lineage(String specDigest, String gitCommit, String baseDigest) {
  public static final Lineage UNKNOWN = new Lineage("", "", "");

  public Lineage {
    specDigest = specDigest == null ? "" : specDigest;
    gitCommit = gitCommit == null ? "" : gitCommit;
    baseDigest = baseDigest == null ? "" : baseDigest;
  }
}
