package dev.herd.spec;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Which baked image a fleet runs: the latest, a channel's, a version, or an exact digest. */
public sealed interface ImageRef {
  String WHAT = "latest, channel:NAME, version:N or sha256:<64 hex digits>";

  /** The newest image baked for the fleet's role. */
  record Latest() implements ImageRef {
    @Override
    public String toString() {
      return "latest";
    }
  }

  /** The image a channel (dev, prod ...) currently points to. */
  record Channel(String name) implements ImageRef {
    public Channel {
      if (!Names.NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("a channel name must be " + Names.NAME_RULE + ", got " + Texts.quote(name));
      }
    }

    @Override
    public String toString() {
      return "channel:" + name;
    }
  }

  /** The role's version N (1, 2, 3 ... in bake order). */
  record Version(int number) implements ImageRef {
    public Version {
      if (number < 1) {
        throw new IllegalArgumentException("image versions start at 1, got " + number);
      }
    }

    @Override
    public String toString() {
      return "version:" + number;
    }
  }

  /** An exact image (manifest) digest, {@code sha256:} followed by 64 lowercase hex digits. */
  record Digest(String digest) implements ImageRef {
    public Digest {
      if (!DIGEST.matcher(digest).matches()) {
        throw new IllegalArgumentException("expected sha256:<64 lowercase hex digits>, got " + Texts.quote(digest));
      }
    }

    @Override
    public String toString() {
      return digest;
    }
  }

  Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  static ImageRef parse(String text) {
    String t = text.strip();
    if (t.equals("latest")) {
      return new Latest();
    }
    if (t.startsWith("sha256:")) {
      return new Digest(t);
    }
    Matcher m = Pattern.compile("(channel|version):(.*)").matcher(t);
    if (m.matches()) {
      if (m.group(1).equals("channel")) {
        return new Channel(m.group(2));
      }
      if (m.group(2).matches("\\d{1,9}")) {
        return new Version(Integer.parseInt(m.group(2)));
      }
    }
    throw new IllegalArgumentException("expected " + WHAT + ", got " + Texts.quote(text));
  }
}
