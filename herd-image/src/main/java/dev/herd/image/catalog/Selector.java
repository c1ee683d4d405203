package dev.herd.image.catalog;

import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageException;

/**
 * Which version of a role: {@code latest} (newest not revoked), {@code channel:prod},
 * {@code version:3} (or just {@code 3}), or {@code sha256:<hex>}.
 */
public sealed interface Selector {
  record Latest() implements Selector {
    @Override
    public String toString() {
      return "latest";
    }
  }

  record Channel(String name) implements Selector {
    public Channel {
      Names.channel(name);
    }

    @Override
    public String toString() {
      return "channel:" + name;
    }
  }

  record Version(int number) implements Selector {
    public Version {
      if (number < 1) {
        throw new ImageException("image version must be 1 or more, got " + number);
      }
    }

    @Override
    public String toString() {
      return String.valueOf(number);
    }
  }

  record ByDigest(Digest digest) implements Selector {
    @Override
    public String toString() {
      return digest.toString();
    }
  }

  Latest LATEST = new Latest();

  static Selector parse(String s) {
    if (s == null || s.isBlank()) {
      throw new ImageException("empty image selector (use latest, channel:NAME, version:N, N or sha256:...)");
    }
    if (s.equals("latest")) {
      return LATEST;
    }
    if (s.startsWith("channel:")) {
      return new Channel(s.substring(8));
    }
    if (s.startsWith("sha256:")) {
      return new ByDigest(Digest.parse(s));
    }
    String n = s.startsWith("version:") ? s.substring(8) : s;
    if (n.matches("[0-9]{1,9}")) {
      return new Version(Integer.parseInt(n));
    }
    throw new ImageException("unknown image selector '" + s + "' (use latest, channel:NAME, version:N, N or sha256:...)");
  }
}
