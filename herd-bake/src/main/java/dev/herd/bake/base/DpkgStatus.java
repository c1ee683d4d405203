package dev.herd.bake.base;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The dpkg database of a root filesystem: which packages are installed, at which version. */
public final class DpkgStatus {
  /** Where dpkg keeps its database, relative to the root filesystem. */
  public static final String STATUS_PATH = "var/lib/dpkg/status";

  private DpkgStatus() {}

  /** Installed packages of {@code rootfs}, sorted; empty when the tree has no dpkg database. */
  public static List<DebianPackage> installed(Path rootfs) {
    Path status = rootfs.resolve(STATUS_PATH);
    if (!Files.isRegularFile(status)) {
      return List.of();
    }
    try {
      return parse(new String(Files.readAllBytes(status), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + status + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(status + ": " + e.getMessage(), e);
    }
  }

  /**
   * Packages whose Status says they are installed (a removed package whose config files remain
   * is still listed by dpkg, but it is not in the image in any useful sense).
   */
  public static List<DebianPackage> parse(String statusText) {
    List<DebianPackage> packages = new ArrayList<>();
    for (Map<String, String> paragraph : Deb822.parse(statusText)) {
      String status = paragraph.getOrDefault("Status", "");
      String[] words = status.strip().split("\\s+");
      if (words.length != 3 || !words[2].equals("installed")) {
        continue;
      }
      String name = required(paragraph, "Package");
      packages.add(new DebianPackage(
          name, required(paragraph, "Version"), paragraph.getOrDefault("Architecture", "all")));
    }
    packages.sort(Comparator.naturalOrder());
    return List.copyOf(packages);
  }

  /**
   * Builds a dpkg status file from .deb control paragraphs. The extract variant unpacks packages
   * without dpkg, so nothing else records what the image contains; scanners (and herd's SBOM)
   * read this file.
   */
  static String fromControlFiles(List<String> controlTexts) {
    List<Map<String, String>> paragraphs = new ArrayList<>();
    for (String control : controlTexts) {
      List<Map<String, String>> parsed = Deb822.parse(control);
      if (parsed.size() != 1) {
        throw new IllegalArgumentException("a .deb control file must hold one paragraph, found " + parsed.size());
      }
      Map<String, String> source = parsed.getFirst();
      Map<String, String> entry = new LinkedHashMap<>();
      entry.put("Package", required(source, "Package"));
      entry.put("Status", "install ok installed");
      source.forEach((field, value) -> {
        if (!field.equals("Package") && !field.equals("Status")) {
          entry.put(field, value);
        }
      });
      paragraphs.add(entry);
    }
    paragraphs.sort(Comparator.comparing((Map<String, String> p) -> p.get("Package"))
        .thenComparing(p -> p.getOrDefault("Architecture", "")));
    StringBuilder out = new StringBuilder();
    for (Map<String, String> paragraph : paragraphs) {
      out.append(Deb822.format(paragraph)).append('\n');
    }
    return out.toString();
  }

  private static String required(Map<String, String> paragraph, String field) {
    String value = paragraph.get(field);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("paragraph " + paragraph.getOrDefault("Package", "?") + " has no " + field + " field");
    }
    return value;
  }
}
