package dev.herd.bake.base;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Debian control-file syntax (dpkg status, .deb control, Release files): paragraphs of
 * {@code Field: value} separated by blank lines, continuation lines starting with a space or tab.
 */
final class Deb822 {
  private Deb822() {}

  /**
   * @return paragraphs in file order; field names keep their spelling, values of multi-line
   *     fields keep their continuation lines joined with {@code \n}
   */
  static List<Map<String, String>> parse(String text) {
    List<Map<String, String>> paragraphs = new ArrayList<>();
    Map<String, String> current = new LinkedHashMap<>();
    String field = null;
    int lineNumber = 0;
    for (String line : text.split("\n", -1)) {
      lineNumber++;
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isBlank()) {
        if (!current.isEmpty()) {
          paragraphs.add(current);
          current = new LinkedHashMap<>();
        }
        field = null;
      } else if (line.startsWith("#")) {
        continue;
      } else if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        if (field == null) {
          throw new IllegalArgumentException("line " + lineNumber + ": continuation line without a field");
        }
        current.merge(field, "\n" + line.substring(1), String::concat);
      } else {
        int colon = line.indexOf(':');
        if (colon <= 0) {
          throw new IllegalArgumentException("line " + lineNumber + ": expected 'Field: value', got '" + line + "'");
        }
        field = line.substring(0, colon);
        current.put(field, line.substring(colon + 1).strip());
      }
    }
    if (!current.isEmpty()) {
      paragraphs.add(current);
    }
    return paragraphs;
  }

  /** Writes a paragraph back in control syntax (continuation lines re-indented by one space). */
  static String format(Map<String, String> paragraph) {
    StringBuilder out = new StringBuilder();
    paragraph.forEach((name, value) -> {
      out.append(name).append(':');
      String[] lines = value.split("\n", -1);
      if (!lines[0].isEmpty()) {
        out.append(' ').append(lines[0]);
      }
      out.append('\n');
      for (int i = 1; i < lines.length; i++) {
        out.append(' ').append(lines[i]).append('\n');
      }
    });
    return out.toString();
  }
}
