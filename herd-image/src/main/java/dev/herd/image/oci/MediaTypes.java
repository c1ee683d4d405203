package dev.herd.image.oci;

/** The media types herd writes and reads. */
public final class MediaTypes {
  public static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  public static final String LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
  public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
  public static final String CYCLONEDX_JSON = "application/vnd.cyclonedx+json";

  /** Annotation that names a manifest in index.json ({@code web:3}). */
  public static final String REF_NAME = "org.opencontainers.image.ref.name";

  private MediaTypes() {}
}
