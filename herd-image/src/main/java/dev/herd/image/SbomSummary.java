package dev.herd.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herd.image.oci.CanonicalJson;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The package list of a CycloneDX JSON SBOM: component name → version (for show and diff). Only
 * {@code components} at the top level are read; nested ones are flattened.
 */
public record SbomSummary(String format, String specVersion, SortedMap<String, String> packages) {
  public static SbomSummary parse(byte[] json) {
    JsonNode root = CanonicalJson.read(json, "SBOM");
    SortedMap<String, String> pkgs = new TreeMap<>();
    collect(root.path("components"), pkgs);
    return new SbomSummary(root.path("bomFormat").asText("unknown"), root.path("specVersion").asText(""), pkgs);
  }

  /** Debian packages only (components whose package URL is {@code pkg:deb/...}): name → version. */
  public static SortedMap<String, String> debianPackages(byte[] json) {
    SortedMap<String, String> pkgs = new TreeMap<>();
    collectDebian(CanonicalJson.read(json, "SBOM").path("components"), pkgs);
    return pkgs;
  }

  /**
   * Names of the Debian packages whose version the bake took from a security archive (component
   * property {@code herd:security=true}); empty for SBOMs written before herd recorded it.
   */
  public static java.util.SortedSet<String> securityPackages(byte[] json) {
    java.util.SortedSet<String> out = new java.util.TreeSet<>();
    collectSecurity(CanonicalJson.read(json, "SBOM").path("components"), out);
    return out;
  }

  private static void collectSecurity(JsonNode components, java.util.Set<String> into) {
    for (JsonNode c : components) {
      for (JsonNode p : c.path("properties")) {
        if ("herd:security".equals(p.path("name").asText()) && "true".equals(p.path("value").asText())) {
          into.add(c.path("name").asText());
        }
      }
      collectSecurity(c.path("components"), into);
    }
  }

  private static void collectDebian(JsonNode components, Map<String, String> into) {
    for (JsonNode c : components) {
      if (c.path("purl").asText("").startsWith("pkg:deb/") && !c.path("name").asText("").isEmpty()) {
        into.put(c.path("name").asText(), c.path("version").asText(""));
      }
      collectDebian(c.path("components"), into);
    }
  }

  private static void collect(JsonNode components, Map<String, String> into) {
    for (JsonNode c : components) {
      String name = c.path("name").asText("");
      if (!name.isEmpty()) {
        String group = c.path("group").asText("");
        into.put(group.isEmpty() ? name : group + "/" + name, c.path("version").asText(""));
      }
      collect(c.path("components"), into);
    }
  }
}
