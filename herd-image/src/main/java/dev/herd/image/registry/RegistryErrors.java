package dev.herd.image.registry;

import java.util.Locale;

/**
 * Turns what skopeo said into one line an operator can act on. Pure: tested as a table of
 * skopeo's messages; unknown messages pass through after the registry and ref.
 */
final class RegistryErrors {
  private RegistryErrors() {}

  /**
   * @param verb "push" or "pull"
   * @param ref the image as the operator wrote it
   * @param said skopeo's message (see {@link Skopeo#message})
   */
  static String explain(String verb, RegistryRef ref, String skopeoSaid) {
    // Quoted request URLs carry upload state tokens: noise for the operator and, being base64,
    // able to contain any word the rules below look for.
    String said = skopeoSaid.replaceAll("\"https?://[^\"]*\"", "").replaceAll("\\s+", " ");
    String s = said.toLowerCase(Locale.ROOT);
    String head = verb + " " + ref + ": ";
    if (s.contains("no image found in manifest list for architecture") || s.contains("no image found in image index for architecture")) {
      return head + "the tag is a multi-arch index with no linux/" + arch() + " image; nothing was imported";
    }
    if (s.contains("digest did not match") || s.contains("does not match digest") || s.contains("manifest digest")
        && s.contains("match")) {
      return head + "the registry sent content whose digest does not match (manifest or blob); nothing was imported";
    }
    int status = status(s);
    if (s.contains("unauthorized") || s.contains("authentication required") || s.contains("invalid username/password")
        || status == 401) {
      return head + "registry " + ref.host() + " refused the credentials (HTTP 401); run `herd login` for it or check registries: in herd.yaml";
    }
    if (s.contains("denied") || status == 403) {
      return head + "registry " + ref.host() + " denied access to " + ref.repository() + " (HTTP 403)";
    }
    if (s.contains("manifest unknown") || s.contains("name unknown") || s.contains("repository name not known")
        || s.contains("not found") && !s.contains("executable")) {
      return head + "no such image in registry " + ref.host() + " (unknown repository or tag)";
    }
    if (s.contains("x509") || s.contains("certificate")) {
      return head + "the TLS certificate of " + ref.host() + " is not trusted; give the registry's CA with registries.NAME.ca in herd.yaml";
    }
    if (s.contains("server gave http response to https client")) {
      return head + ref.host() + " speaks plain HTTP; only a loopback registry may, others need TLS";
    }
    if (s.contains("connection refused") || s.contains("no such host") || s.contains("i/o timeout")) {
      return head + "cannot reach registry " + ref.host() + " (" + tail(said) + ")";
    }
    if (status >= 500) {
      return head + "registry " + ref.host() + " answered HTTP " + status + " (server error); nothing was " + (verb.equals("push") ? "tagged" : "imported");
    }
    if (s.contains("unexpected eof") || s.contains("connection reset") || s.contains("broken pipe") || s.contains("eof")
        || s.contains("closed network connection") || s.contains("connection closed") || s.contains("server closed")) {
      return head + "the connection to " + ref.host() + " broke during the transfer; nothing was " + (verb.equals("push") ? "tagged" : "imported")
          + " (run it again: blobs already sent are not sent twice)";
    }
    return head + tail(said);
  }

  private static int status(String s) {
    // "received unexpected HTTP status: 500 Internal Server Error"; never a port like :34015
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("status(?: code)?:? ([1-5][0-9][0-9])\\b").matcher(s);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** The innermost cause of a Go error chain ("a: b: c" → "c"), which is what names the problem. */
  private static String tail(String said) {
    String t = said.strip();
    return t.isEmpty() ? "skopeo failed without a message" : t;
  }

  static String arch() {
    return switch (System.getProperty("os.arch")) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> System.getProperty("os.arch");
    };
  }
}
