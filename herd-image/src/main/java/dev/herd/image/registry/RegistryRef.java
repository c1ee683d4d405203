package dev.herd.image.registry;

import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageException;
import java.util.regex.Pattern;

/**
 * An image in a registry: {@code 127.0.0.1:5000/shop/web:4}, {@code registry.example.com/web@sha256:...}.
 * The registry host is always explicit (no silent docker.io), so a ref never goes somewhere the
 * operator did not write. Exactly one of tag and digest is set; a ref without either means tag
 * {@code latest}.
 *
 * @param host host or host:port, e.g. {@code 127.0.0.1:5000}
 * @param repository path inside the registry, e.g. {@code shop/web}
 */
public record RegistryRef(String host, String repository, String tag, Digest digest) {
  private static final Pattern HOST = Pattern.compile("(localhost|\\[[0-9a-fA-F:]+]|[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*)(:[0-9]{1,5})?");
  private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  public static final String WHAT = "REGISTRY/REPO[:TAG] or REGISTRY/REPO@sha256:..., e.g. 127.0.0.1:5000/shop/web:4";

  public RegistryRef {
    if (host == null || !HOST.matcher(host).matches()) {
      throw new ImageException("registry host '" + host + "' is not a host or host:port");
    }
    if (repository == null || !REPOSITORY.matcher(repository).matches()) {
      throw new ImageException("repository '" + repository + "' must be lowercase path components like shop/web");
    }
    if ((tag == null) == (digest == null)) {
      throw new ImageException("an image ref needs exactly one of a tag and a digest");
    }
    if (tag != null && !TAG.matcher(tag).matches()) {
      throw new ImageException("tag '" + tag + "' must be letters, digits, '_', '.' or '-' (at most 128)");
    }
  }

  /** Parses {@link #WHAT}. The first path component is the registry: it must contain '.' or ':' or be localhost. */
  public static RegistryRef parse(String text) {
    if (text == null || text.isBlank()) {
      throw new ImageException("empty registry ref (expected " + WHAT + ")");
    }
    int slash = text.indexOf('/');
    if (slash <= 0) {
      throw new ImageException("'" + text + "' names no registry (expected " + WHAT + ")");
    }
    String host = text.substring(0, slash);
    if (!host.contains(".") && !host.contains(":") && !host.equals("localhost")) {
      throw new ImageException("'" + text + "' names no registry: '" + host + "' is not a host (expected " + WHAT + ")");
    }
    String rest = text.substring(slash + 1);
    int at = rest.indexOf('@');
    if (at >= 0) {
      Digest d;
      try {
        d = Digest.parse(rest.substring(at + 1));
      } catch (RuntimeException e) {
        throw new ImageException("'" + text + "': '" + rest.substring(at + 1) + "' is not a sha256 digest");
      }
      return new RegistryRef(host, rest.substring(0, at), null, d);
    }
    int colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      return new RegistryRef(host, rest.substring(0, colon), rest.substring(colon + 1), null);
    }
    return new RegistryRef(host, rest, "latest", null);
  }

  /** The same repository at another tag or digest. */
  public RegistryRef withDigest(Digest d) {
    return new RegistryRef(host, repository, null, d);
  }

  public RegistryRef withTag(String t) {
    return new RegistryRef(host, repository, t, null);
  }

  /** Whether the registry is on this machine (127.0.0.0/8, ::1, localhost): plain HTTP is allowed there. */
  public boolean loopback() {
    return isLoopback(host);
  }

  /** Host part without the port. */
  public String hostName() {
    if (host.startsWith("[")) {
      return host.substring(0, host.indexOf(']') + 1);
    }
    int c = host.lastIndexOf(':');
    return c < 0 ? host : host.substring(0, c);
  }

  static boolean isLoopback(String hostAndPort) {
    String h = hostAndPort.startsWith("[") ? hostAndPort.substring(0, hostAndPort.indexOf(']') + 1)
        : hostAndPort.contains(":") ? hostAndPort.substring(0, hostAndPort.lastIndexOf(':')) : hostAndPort;
    return h.equals("localhost") || h.equals("[::1]") || h.matches("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}");
  }

  /** skopeo's transport string. */
  String docker() {
    return "docker://" + this;
  }

  @Override
  public String toString() {
    return host + "/" + repository + (digest != null ? "@" + digest : ":" + tag);
  }
}
