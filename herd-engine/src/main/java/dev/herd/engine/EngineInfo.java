package dev.herd.engine;

/**
 * What herd is talking to.
 *
 * @param endpoint how herd reached it (unix:///run/podman/podman.sock, "fake", ...)
 * @param product "Podman Engine", "Docker Engine", "fake"
 * @param apiVersion the Docker-compatible API version the engine serves
 * @param runtime the default OCI runtime (runc, crun)
 * @param cgroupManager cgroupfs or systemd
 */
public record EngineInfo(
    String endpoint, String product, String version, String apiVersion, String runtime, String cgroupManager) {}
