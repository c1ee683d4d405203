package dev.herd.image.registry;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How herd reaches one registry host.
 *
 * @param host host or host:port the refs name
 * @param plainHttp speak HTTP, not HTTPS; only allowed for a loopback host (as Docker and Podman allow)
 * @param caFile PEM CA certificate to trust in addition to the system's, or null
 * @param credentials user and password, or null for anonymous access
 */
public record RegistryAccess(String host, boolean plainHttp, Path caFile, Credentials credentials) {
  public RegistryAccess {
    Objects.requireNonNull(host, "host");
    if (plainHttp && !RegistryRef.isLoopback(host)) {
      throw new IllegalArgumentException("registry " + host + " is not on a loopback address, so it needs TLS (https://)");
    }
  }

  /** A registry named only by a ref: anonymous; a loopback one may answer plain HTTP. */
  public static RegistryAccess anonymous(RegistryRef ref) {
    return new RegistryAccess(ref.host(), ref.loopback(), null, null);
  }

  @Override
  public String toString() {
    return "RegistryAccess[" + (plainHttp ? "http://" : "https://") + host + (caFile != null ? ", ca " + caFile : "")
        + (credentials != null ? ", user " + credentials.username() : ", anonymous") + "]";
  }
}
