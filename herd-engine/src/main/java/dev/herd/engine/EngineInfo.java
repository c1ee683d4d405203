package dev.herd.engine;

/**
 * What herd is talking to.
 *
 * @param endpoint how herd reached it (unix:///run/podman/podman.sock, "fake", ...)
 * @param product "Podman Engine", "Docker Engine", "fake"
 * @param apiVersion the Docker-compatible API version the engine serves
 * @param runtime the default OCI runtime (runc, crun)
 * @param cgroupManager cgroupfs or systemd
 * @param capabilities what herd can and cannot do on it
 */
public record EngineInfo(
    String endpoint, String product, String version, String apiVersion, String runtime, String cgroupManager,
    EngineCapabilities capabilities) {
  public EngineInfo {
    java.util.Objects.requireNonNull(capabilities, "capabilities");
  }

  /** Capabilities derived from product and API version. */
  public EngineInfo(String endpoint, String product, String version, String apiVersion, String runtime, String cgroupManager) {
    this(endpoint, product, version, apiVersion, runtime, cgroupManager, EngineCapabilities.of(product, apiVersion));
  }
}
