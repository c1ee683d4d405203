package dev.herd.spec;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A registry images are pushed to and pulled from ({@code registries.NAME}).
 *
 * @param host host or host:port, as image refs name it ({@code registry.example.com:5000})
 * @param plainHttp the url is http://, which only a loopback registry may be
 * @param ca a PEM CA file relative to herd.yaml, trusted besides the system's CAs
 * @param credentials the name of the herd secret {@code herd login NAME} stores; empty: anonymous
 */
public record Registry(String name, String host, boolean plainHttp, Optional<String> ca, Optional<String> credentials, Location location) {
  private static final Pattern LOOPBACK = Pattern.compile("(localhost|\\[::1]|127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3})(:[0-9]{1,5})?");
  static final Pattern URL = Pattern.compile("(https?)://((?:\\[[0-9a-fA-F:]+]|[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*)(?::[0-9]{1,5})?)/?");
  static final String URL_WHAT = "a registry URL like https://registry.example.com or http://127.0.0.1:5000 (no path)";

  public Registry {
    Names.requireName("registry", name);
    Objects.requireNonNull(host, "host");
    ca = ca == null ? Optional.empty() : ca;
    credentials = credentials == null ? Optional.empty() : credentials;
    Objects.requireNonNull(location, "location");
    if (plainHttp && !loopback(host)) {
      throw new IllegalArgumentException("registry " + host + " is not on a loopback address, so it needs https:// (plain http is allowed only for 127.0.0.1, ::1 and localhost)");
    }
  }

  /** Whether {@code host} (host or host:port) is this machine. */
  public static boolean loopback(String host) {
    return LOOPBACK.matcher(host).matches();
  }
}
