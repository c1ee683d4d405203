package dev.herd.control.state;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a release pins: the image, the config revision, the secret revisions (by secret name;
 * empty until the secrets service exists) and the role's runtime. Two equal specs have the same
 * {@link #fingerprint()}, which is how applying the same desired state twice makes no new release.
 */
public record ReleaseSpec(String imageDigest, long configRevision, Map<String, Long> secretRevisions, RoleRuntime runtime) {
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  public ReleaseSpec {
    if (imageDigest == null || !DIGEST.matcher(imageDigest).matches()) {
      throw new IllegalArgumentException("image digest must be sha256:<64 hex digits>, got: " + imageDigest);
    }
    if (configRevision < 0) {
      throw new IllegalArgumentException("config revision must be >= 0, got " + configRevision);
    }
    secretRevisions = Map.copyOf(new TreeMap<>(secretRevisions));
    Objects.requireNonNull(runtime, "runtime");
  }

  public String fingerprint() {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(encode().getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public String shortImage() {
    return imageDigest.substring(7, 19);
  }

  String encode() {
    Map<String, String> f = new TreeMap<>(runtime.toFields("runtime."));
    f.put("image", imageDigest);
    f.put("config_revision", Long.toString(configRevision));
    secretRevisions.forEach((k, v) -> f.put("secret." + k, Long.toString(v)));
    return Codec.encode(f);
  }

  static ReleaseSpec decode(String text) {
    Map<String, String> f = Codec.decode(text);
    Map<String, Long> secrets = new TreeMap<>();
    f.forEach((k, v) -> {
      if (k.startsWith("secret.")) {
        secrets.put(k.substring(7), Long.parseLong(v));
      }
    });
    return new ReleaseSpec(f.get("image"), Long.parseLong(f.get("config_revision")), secrets,
        RoleRuntime.fromFields("runtime.", f));
  }
}
