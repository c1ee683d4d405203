package dev.herd.image.catalog;

import dev.herd.image.oci.ImageException;

/**
 * A role plus a selector as users type it: {@code web:3}, {@code web:latest}, {@code web},
 * {@code web:channel:prod}, {@code web@sha256:...} or {@code web:sha256:...}.
 */
public record ImageRef(String role, Selector selector) {
  public ImageRef {
    Names.role(role);
    if (selector == null) {
      throw new IllegalArgumentException("selector is null");
    }
  }

  public static ImageRef parse(String s) {
    if (s == null || s.isBlank()) {
      throw new ImageException("empty image reference (expected ROLE:VERSION, e.g. web:3)");
    }
    int at = s.indexOf('@');
    int colon = s.indexOf(':');
    if (at > 0 && (colon < 0 || at < colon)) {
      return new ImageRef(Names.role(s.substring(0, at)), Selector.parse(s.substring(at + 1)));
    }
    if (colon < 0) {
      return new ImageRef(Names.role(s), Selector.LATEST);
    }
    return new ImageRef(Names.role(s.substring(0, colon)), Selector.parse(s.substring(colon + 1)));
  }

  @Override
  public String toString() {
    return role + ":" + selector;
  }
}
