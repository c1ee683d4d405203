package dev.herd.bake.tree;

import java.util.ArrayList;
import java.util.List;

/**
 * A normalized absolute path inside the image with no {@code .}, {@code ..} or empty names.
 * Produced by resolving a user path against a tree; its names are safe to append to a host
 * directory.
 */
public record ImagePath(List<String> names) implements Comparable<ImagePath> {
  public static final ImagePath ROOT = new ImagePath(List.of());

  public ImagePath {
    names = List.copyOf(names);
    for (String n : names) {
      if (n.isEmpty() || n.equals(".") || n.equals("..") || n.indexOf('/') >= 0 || n.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("not a normalized path name: \"" + n + "\"");
      }
    }
  }

  /**
   * Parses an already-normal absolute path ("/etc/passwd"); use {@link PathResolver} for user
   * input, which handles {@code ..} and symlinks.
   */
  public static ImagePath of(String absolute) {
    if (!absolute.startsWith("/")) {
      throw new IllegalArgumentException("not an absolute image path: \"" + absolute + "\"");
    }
    List<String> names = new ArrayList<>();
    for (String n : absolute.split("/")) {
      if (!n.isEmpty()) {
        names.add(n);
      }
    }
    return new ImagePath(names);
  }

  public boolean isRoot() {
    return names.isEmpty();
  }

  public ImagePath parent() {
    if (isRoot()) {
      throw new IllegalStateException("/ has no parent");
    }
    return new ImagePath(names.subList(0, names.size() - 1));
  }

  public String fileName() {
    return isRoot() ? "" : names.getLast();
  }

  public ImagePath resolve(String name) {
    List<String> next = new ArrayList<>(names);
    next.add(name);
    return new ImagePath(next);
  }

  /** True when {@code this} equals {@code other} or lies below it. */
  public boolean startsWith(ImagePath other) {
    return names.size() >= other.names.size() && names.subList(0, other.names.size()).equals(other.names);
  }

  @Override
  public int compareTo(ImagePath o) {
    return toString().compareTo(o.toString());
  }

  @Override
  public String toString() {
    return "/" + String.join("/", names);
  }
}
