package dev.herd.bake.run;

import java.util.Arrays;
import java.util.List;

/** Small text helpers for quoting command output in errors. */
final class Text {
  private Text() {}

  static String lastLines(String text, int lines) {
    List<String> all = Arrays.stream(text.split("\n")).filter(l -> !l.isBlank()).toList();
    List<String> tail = all.subList(Math.max(0, all.size() - lines), all.size());
    return String.join("\n", tail);
  }
}
