package dev.herd.image.layer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/** Byte-wise order of UTF-8 paths: the one order every machine agrees on, whatever its locale. */
final class PathOrder {
  static final Comparator<String> UTF8 = (a, b) ->
      Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

  private PathOrder() {}
}
