package dev.herd.bake.sbom;

import dev.herd.bake.base.DebianPackage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.cyclonedx.Version;
import org.cyclonedx.exception.GeneratorException;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.Property;

/**
 * Writes a CycloneDX 1.5 JSON SBOM: one component per Debian package (with its package URL) and
 * one file component per file herd wrote. Nothing in it comes from the clock or a random source:
 * the timestamp is the bake epoch and the serial number is a name-based UUID of the content, so
 * the same bake gives the same bytes.
 */
public final class SbomWriter {
  /** Property of a package component whose version came from a security archive. */
  public static final String SECURITY_PROPERTY = "herd:security";

  private SbomWriter() {}

  public static String cycloneDxJson(SbomRequest request) {
    Bom bom = new Bom();
    bom.setVersion(1);
    bom.setSerialNumber("urn:uuid:" + UUID.nameUUIDFromBytes(seed(request).getBytes(StandardCharsets.UTF_8)));

    Metadata metadata = new Metadata();
    metadata.setTimestamp(Date.from(request.epoch()));
    Component image = new Component();
    image.setType(Component.Type.CONTAINER);
    image.setName(request.role());
    request.version().ifPresent(image::setVersion);
    image.setBomRef("image:" + request.role());
    image.setProperties(List.of(new Property("herd:spec-digest", request.specDigest())));
    metadata.setComponent(image);
    bom.setMetadata(metadata);

    List<Component> components = new ArrayList<>();
    for (DebianPackage p : request.packages()) {
      Component c = new Component();
      c.setType(Component.Type.LIBRARY);
      c.setName(p.name());
      c.setVersion(p.version());
      String purl = purl(p, request.distro().orElse(null));
      c.setPurl(purl);
      c.setBomRef(purl);
      if (request.security().contains(p)) {
        c.setProperties(List.of(new Property(SECURITY_PROPERTY, "true")));
      }
      components.add(c);
    }
    for (FileDigest f : request.files()) {
      Component c = new Component();
      c.setType(Component.Type.FILE);
      c.setName(f.path());
      c.setBomRef("file:" + f.path());
      c.setHashes(List.of(new Hash(Hash.Algorithm.SHA_256, f.sha256())));
      components.add(c);
    }
    bom.setComponents(components);
    try {
      return BomGeneratorFactory.createJson(Version.VERSION_15, bom).toJsonString() + "\n";
    } catch (GeneratorException e) {
      throw new IllegalStateException("cannot write the SBOM of " + request.role() + ": " + e.getMessage(), e);
    }
  }

  /** {@code pkg:deb/debian/NAME@VERSION?arch=ARCH&distro=SUITE}, percent-encoded per the purl spec. */
  static String purl(DebianPackage p, String distro) {
    String purl = "pkg:deb/debian/" + encode(p.name()) + "@" + encode(p.version()) + "?arch=" + encode(p.architecture());
    return distro == null ? purl : purl + "&distro=" + encode(distro);
  }

  private static String encode(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }

  private static String seed(SbomRequest request) {
    StringBuilder seed = new StringBuilder("herd-sbom/1\n").append(request.role()).append('\n').append(request.specDigest()).append('\n');
    request.version().ifPresent(v -> seed.append("version ").append(v).append('\n'));
    request.distro().ifPresent(d -> seed.append("distro ").append(d).append('\n'));
    request.packages().forEach(p -> seed.append(p).append('\n'));
    request.files().forEach(f -> seed.append(f.path()).append(' ').append(f.sha256()).append('\n'));
    return seed.toString();
  }
}
