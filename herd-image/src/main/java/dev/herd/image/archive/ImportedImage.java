package dev.herd.image.archive;

import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageConfig;

/**
 * A base image unpacked into a staging directory. {@code baseDigest} is the manifest digest for OCI
 * sources and the config digest (the image ID) for docker archives; bake records it as lineage.
 */
public record ImportedImage(
    String source, SourceFormat format, String ref, Digest baseDigest, ImageConfig config, int layers, long entries, long bytes) {}
