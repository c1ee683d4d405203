package dev.herd.bake.sbom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herd.bake.base.DebianPackage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;

class SbomWriterTest {
  static final DebianPackage BUSYBOX = new DebianPackage("busybox-static", "1:1.35.0-4+b3", "amd64");
  static final DebianPackage STDCXX = new DebianPackage("libstdc++6", "12.2.0-14", "amd64");
  static final FileDigest MOTD = new FileDigest("/etc/motd", "a".repeat(64));
  static final FileDigest INDEX = new FileDigest("/srv/www/index.html", "0123456789abcdef".repeat(4));

  static SbomRequest request(List<DebianPackage> packages, List<FileDigest> files) {
    return new SbomRequest("web", Optional.of("7"), Optional.of("bookworm"), packages, files, Instant.parse("2025-05-17T09:00:00Z"),
        "sha256:" + "b".repeat(64));
  }

  @Test
  void sameBakeGivesTheSameBytesWhateverTheInputOrder() {
    String one = SbomWriter.cycloneDxJson(request(List.of(BUSYBOX, STDCXX), List.of(MOTD, INDEX)));
    String two = SbomWriter.cycloneDxJson(request(List.of(STDCXX, BUSYBOX), List.of(INDEX, MOTD)));
    assertThat(two).isEqualTo(one);
  }

  @Test
  void serialNumberFollowsTheContent() throws Exception {
    ObjectMapper json = new ObjectMapper();
    String serial = json.readTree(SbomWriter.cycloneDxJson(request(List.of(BUSYBOX), List.of()))).get("serialNumber").asText();
    String other = json.readTree(SbomWriter.cycloneDxJson(request(List.of(STDCXX), List.of()))).get("serialNumber").asText();
    assertThat(serial).matches("urn:uuid:[0-9a-f-]{36}").isNotEqualTo(other);
  }

  @Test
  void isValidCycloneDx15WithPackagesAndFiles() throws Exception {
    String sbom = SbomWriter.cycloneDxJson(request(List.of(BUSYBOX, STDCXX), List.of(MOTD, INDEX)));
    assertThat(new JsonParser().validate(sbom, Version.VERSION_15)).isEmpty();

    JsonNode root = new ObjectMapper().readTree(sbom);
    assertThat(root.get("specVersion").asText()).isEqualTo("1.5");
    assertThat(root.at("/metadata/timestamp").asText()).startsWith("2025-05-17T09:00:00");
    assertThat(root.at("/metadata/component/name").asText()).isEqualTo("web");
    JsonNode components = root.get("components");
    assertThat(components).hasSize(4);
    assertThat(components.get(0).get("purl").asText()).isEqualTo("pkg:deb/debian/busybox-static@1%3A1.35.0-4%2Bb3?arch=amd64&distro=bookworm");
    assertThat(components.get(1).get("purl").asText()).isEqualTo("pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64&distro=bookworm");
    assertThat(components.get(2).get("type").asText()).isEqualTo("file");
    assertThat(components.get(2).get("name").asText()).isEqualTo("/etc/motd");
    assertThat(components.get(2).at("/hashes/0/alg").asText()).isEqualTo("SHA-256");
    assertThat(components.get(3).at("/hashes/0/content").asText()).isEqualTo(INDEX.sha256());
  }

  @Test
  void conflictingDigestsForOnePathAreRefused() {
    assertThatThrownBy(() -> request(List.of(), List.of(MOTD, new FileDigest("/etc/motd", "c".repeat(64)))))
        .hasMessageContaining("/etc/motd");
    assertThatThrownBy(() -> new FileDigest("etc/motd", "c".repeat(64))).hasMessageContaining("absolute");
  }

  @Test
  void packagesFromASecurityArchiveAreMarkedAndReadBack() {
    String sbom = SbomWriter.cycloneDxJson(new SbomRequest("web", Optional.of("7"), Optional.of("bookworm"), List.of(BUSYBOX, STDCXX),
        List.of(), Instant.parse("2025-05-17T09:00:00Z"), "sha256:" + "b".repeat(64), java.util.Set.of(STDCXX)));
    assertThat(dev.herd.image.SbomSummary.securityPackages(sbom.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .containsExactly("libstdc++6");
  }
}
