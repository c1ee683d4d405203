package dev.herd.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What an engine gives herd beyond the common contract, derived from its product and API
 * version. herd adapts where it can (the archive format it loads, tmpfs it adds) and says in
 * {@code herd doctor} what it cannot see.
 *
 * @param loads archive formats the engine loads, the one herd prefers first
 * @param execEvents the event stream reports an exec into a node (tamper detection)
 * @param durableEvents events can be replayed from any time since the engine started writing
 *     them (Podman's event log); Docker keeps only its last 256 events, in memory, so an exec
 *     while herd was down for longer may go unseen (its file changes still show in diff)
 * @param tmpfsOnReadOnlyRoot the engine itself mounts tmpfs at /run, /tmp and /var/tmp of a
 *     read-only root (Podman does; for Docker herd adds them so nodes behave alike)
 * @param probesFromHost a node listens on a port of this host, so herd's controller runs its
 *     health check itself over loopback; when false (a cluster: a Pod has its own address) the
 *     node's health is what the engine reports of its own probe, {@link Engine#ready}
 * @param routesTraffic the engine itself routes a fleet's traffic to the nodes herd marks in
 *     service ({@link Engine#setInService}: a cluster's Service selecting a label); false for a
 *     local engine, where herd's front door does
 */
public record EngineCapabilities(
    List<ImageSource.Format> loads, boolean execEvents, boolean durableEvents, boolean tmpfsOnReadOnlyRoot,
    boolean probesFromHost, boolean routesTraffic) {
  /** Docker Engine 25 (API 1.44) was the first to load OCI archives. */
  static final int[] DOCKER_OCI_LOAD_API = {1, 44};

  public EngineCapabilities {
    loads = List.copyOf(loads);
    if (loads.isEmpty()) {
      throw new IllegalArgumentException("an engine must load at least one archive format");
    }
  }

  /** A local engine: its nodes listen on this host, herd probes them and its front door routes to them. */
  public EngineCapabilities(List<ImageSource.Format> loads, boolean execEvents, boolean durableEvents, boolean tmpfsOnReadOnlyRoot) {
    this(loads, execEvents, durableEvents, tmpfsOnReadOnlyRoot, true, false);
  }

  /** What herd knows of an engine from its {@code /version} answer. */
  public static EngineCapabilities of(String product, String apiVersion) {
    Objects.requireNonNull(product, "product");
    if (product.contains("Podman")) {
      return new EngineCapabilities(List.of(ImageSource.Format.OCI_ARCHIVE, ImageSource.Format.DOCKER_ARCHIVE),
          true, true, true);
    }
    List<ImageSource.Format> loads = atLeast(apiVersion, DOCKER_OCI_LOAD_API)
        ? List.of(ImageSource.Format.OCI_ARCHIVE, ImageSource.Format.DOCKER_ARCHIVE)
        : List.of(ImageSource.Format.DOCKER_ARCHIVE);
    return new EngineCapabilities(loads, true, false, false);
  }

  /** The format herd sends: the first the engine loads that the source offers; empty if none. */
  public java.util.Optional<ImageSource.Format> formatFor(ImageSource source) {
    return loads.stream().filter(source.formats()::contains).findFirst();
  }

  /** What herd cannot do or see on this engine, one sentence each (empty: nothing). */
  public List<String> gaps() {
    List<String> gaps = new ArrayList<>();
    if (!execEvents) {
      gaps.add("reports no exec events: an exec into a node is not seen as tamper (only the files it changed, by diff)");
    }
    if (!durableEvents) {
      gaps.add("keeps only its last 256 events, in memory: an exec into a node while herd was down may go unseen"
          + " (drift still finds the files it changed)");
    }
    return gaps;
  }

  /** What herd adapts to on this engine, one sentence each, for {@code herd doctor}. */
  public List<String> adaptations() {
    List<String> notes = new ArrayList<>();
    if (!loads.contains(ImageSource.Format.OCI_ARCHIVE)) {
      notes.add("loads no OCI archives (Docker before 25, API < 1.44): herd sends images as docker-archive");
    }
    if (!tmpfsOnReadOnlyRoot) {
      notes.add("mounts no tmpfs on read-only roots: herd adds /run, /tmp and /var/tmp itself");
    }
    if (!probesFromHost) {
      notes.add("nodes are not reachable from this host: a node's health is the engine's own probe of it"
          + " (its readiness), not a probe herd runs");
    }
    return notes;
  }

  static boolean atLeast(String version, int[] min) {
    if (version == null) {
      return false;
    }
    String[] parts = version.strip().split("\\.");
    for (int i = 0; i < min.length; i++) {
      int v;
      try {
        v = i < parts.length ? Integer.parseInt(parts[i]) : 0;
      } catch (NumberFormatException e) {
        return false;
      }
      if (v != min[i]) {
        return v > min[i];
      }
    }
    return true;
  }
}
