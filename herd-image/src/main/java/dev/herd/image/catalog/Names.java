package dev.herd.image.catalog;

import dev.herd.image.oci.ImageException;
import java.util.regex.Pattern;

/** Role and channel names: what herd.yaml allows for roles, and what fits in an OCI ref name. */
final class Names {
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9._-]{0,62})");

  private Names() {}

  static String role(String s) {
    if (s == null || !NAME.matcher(s).matches()) {
      throw new ImageException("invalid role name '" + s + "' (lowercase letters, digits, '.', '_', '-'; at most 63)");
    }
    return s;
  }

  static String channel(String s) {
    if (s == null || !NAME.matcher(s).matches()) {
      throw new ImageException("invalid channel name '" + s + "' (lowercase letters, digits, '.', '_', '-'; at most 63)");
    }
    return s;
  }
}
