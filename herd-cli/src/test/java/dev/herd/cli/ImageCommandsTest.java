package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.image.Images;
import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.catalog.Lineage;
import dev.herd.image.layer.LayerBlob;
import dev.herd.image.layer.LayerEntry;
import dev.herd.image.oci.ImageConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCommandsTest {
  static final Instant EPOCH = Instant.parse("2024-03-01T12:00:00Z");
  @TempDir Path tmp;
  Path state;

  record Result(int code, String out, String err) {}

  Result herd(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--state");
    all.add(state.toString());
    int code = HerdCli.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  Path src(String name, String content) throws IOException {
    Path p = tmp.resolve("src").resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    return p;
  }

  CatalogImage bake(Images images, String role, String app, String conf, String port, String sbom) throws IOException {
    List<LayerEntry> entries = new ArrayList<>();
    entries.add(LayerEntry.file("srv/app", src(role + app, app), app.length(), 0755, 0, 0));
    if (conf != null) {
      entries.add(LayerEntry.file("etc/app.conf", src(role + conf, conf), conf.length(), 0644, 0, 0));
    }
    LayerBlob layer = images.writeLayer(entries, EPOCH);
    ImageConfig cfg = ImageConfig.builder().created(EPOCH).cmd(List.of("/srv/app")).env("PORT", port)
        .label("dev.herd.role", role).history(new ImageConfig.History(EPOCH, "herd bake: resources", null, false)).build();
    CatalogImage img = images.publish(role, cfg, List.of(layer), Map.of(), new Lineage("sha256:spec", "c0ffee", "")).image();
    if (sbom != null) {
      images.putSbom(img.digest(), sbom.getBytes(StandardCharsets.UTF_8));
    }
    return img;
  }

  static String sbom(String... pkgs) {
    List<String> comps = new ArrayList<>();
    for (int i = 0; i < pkgs.length; i += 2) {
      comps.add("{\"type\":\"library\",\"name\":\"" + pkgs[i] + "\",\"version\":\"" + pkgs[i + 1] + "\"}");
    }
    return "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[" + String.join(",", comps) + "]}";
  }

  @BeforeEach
  void setUp() throws IOException {
    state = tmp.resolve("state");
    try (Images images = Images.open(state)) {
      bake(images, "web", "v1", "port=80", "80", sbom("openssl", "3.0.1", "curl", "7.88"));
      bake(images, "web", "v2", null, "8080", sbom("openssl", "3.0.2", "nginx", "1.22"));
      bake(images, "db", "d1", null, "5432", null);
    }
  }

  @Test
  void listsImages() {
    Result r = herd("images");
    assertThat(r.code()).isZero();
    assertThat(r.out().lines().toList().get(0)).startsWith("IMAGE").contains("DIGEST", "AGE", "SIZE", "CHANNELS", "REVOKED");
    assertThat(r.out()).contains("web:2", "web:1", "db:1");
    Result web = herd("images", "web");
    assertThat(web.out()).contains("web:2").doesNotContain("db:1");
    Result unknown = herd("images", "api");
    assertThat(unknown.code()).isEqualTo(HerdCli.FAILED);
    assertThat(unknown.err()).contains("no images for role 'api' (roles with images: db, web)");
  }

  @Test
  void promoteRevokeAndShow() {
    assertThat(herd("promote", "web:1", "prod").out()).contains("promoted web:1 to prod (new channel)");
    assertThat(herd("promote", "web:2", "prod").out()).contains("promoted web:2 to prod (was web:1)");
    Result revoke = herd("revoke", "web:1", "--reason", "leaks debug port");
    assertThat(revoke.code()).isZero();
    assertThat(revoke.out()).contains("revoked web:1: leaks debug port");
    Result again = herd("promote", "web:1", "prod");
    assertThat(again.code()).isEqualTo(HerdCli.FAILED);
    assertThat(again.err()).contains("web:1 is revoked (leaks debug port) and cannot be promoted");

    Result list = herd("images", "web");
    assertThat(list.out()).containsPattern("web:2 .* prod +-").containsPattern("web:1 .*yes: leaks debug port");

    Result show = herd("image", "show", "web:1");
    assertThat(show.code()).isZero();
    assertThat(show.out()).contains("Image:", "web:1", "Revoked:", "leaks debug port", "Commit:", "c0ffee",
        "PORT=80", "dev.herd.role=web", "herd bake: resources", "CycloneDX 1.5, 2 packages");
    Result missing = herd("image", "show", "web:7");
    assertThat(missing.code()).isEqualTo(HerdCli.FAILED);
    assertThat(missing.err()).contains("no image web:7 (web has versions 1..2)");
    assertThat(herd("image", "show", "web:nope").code()).isEqualTo(HerdCli.USAGE);
    assertThat(herd("revoke", "web:2").code()).isEqualTo(HerdCli.USAGE);
  }

  @Test
  void diffShowsFilesConfigAndPackages() {
    Result r = herd("image", "diff", "web:1", "web:2");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains(
        "Files: 0 added, 2 removed, 1 changed",
        "  - /etc/\n",
        "  - /etc/app.conf (7B, sha256:",
        "  ~ /srv/app (content sha256:",
        "~ Env PORT: 80 → 8080",
        "Packages: 3 differences",
        "+ package nginx=1.22",
        "- package curl=7.88",
        "~ package openssl: 3.0.1 → 3.0.2");
    Result db = herd("image", "diff", "web:2", "db:1");
    assertThat(db.out()).contains("Packages: no SBOM for db:1; not compared");
  }

  @Test
  void diffJsonListsPackageVersionChangesWithTheSecurityFlagAndFileDigests() throws Exception {
    try (Images images = Images.open(state)) {
      bake(images, "web", "v3", null, "8080", sbom("openssl", "3.0.2", "nginx", "1.22").replace(
          "\"name\":\"openssl\",\"version\":\"3.0.2\"",
          "\"name\":\"openssl\",\"version\":\"1:3.0.3~rc1\",\"properties\":[{\"name\":\"herd:security\",\"value\":\"true\"}]"));
    }
    Result text = herd("image", "diff", "web:2", "web:3");
    assertThat(text.out()).contains("  ~ package openssl: 3.0.2 → 1:3.0.3~rc1 (security)");
    Result r = herd("image", "diff", "web:2", "web:3", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
    assertThat(json.path("from").path("image").asText()).isEqualTo("web:2");
    assertThat(json.path("identical").asBoolean()).isFalse();
    var pkgs = json.path("packages");
    assertThat(pkgs).hasSize(1);
    assertThat(pkgs.get(0).path("name").asText()).isEqualTo("openssl");
    assertThat(pkgs.get(0).path("from").asText()).isEqualTo("3.0.2");
    assertThat(pkgs.get(0).path("to").asText()).isEqualTo("1:3.0.3~rc1");
    assertThat(pkgs.get(0).path("change").asText()).isEqualTo("upgraded");
    assertThat(pkgs.get(0).path("security").asBoolean()).isTrue();
    var changed = json.path("files").path("changed");
    assertThat(changed).hasSize(1);
    assertThat(changed.get(0).path("path").asText()).isEqualTo("/srv/app");
    assertThat(changed.get(0).path("before").path("sha256").asText()).startsWith("sha256:")
        .isNotEqualTo(changed.get(0).path("after").path("sha256").asText());
    assertThat(changed.get(0).path("after").path("size").asLong()).isEqualTo(2);
  }

  @Test
  void gcDryRunThenForReal() throws IOException {
    try (Images images = Images.open(state)) {
      bake(images, "web", "v3", null, "80", null);
    }
    herd("promote", "web:1", "prod");
    Result dry = herd("gc", "--keep", "1", "--dry-run");
    assertThat(dry.code()).isZero();
    assertThat(dry.out()).contains("would remove web:2", "kept web:1 (channel prod)", "kept web:3 (newest 1)", "dry run: would delete 0 blobs");
    assertThat(herd("images", "web").out()).contains("web:2");
    Result gc = herd("gc", "--keep", "1");
    assertThat(gc.out()).contains("removed web:2");
    assertThat(herd("images", "web").out()).doesNotContain("web:2");
    assertThat(herd("gc", "--keep", "0").code()).isEqualTo(HerdCli.USAGE);
  }

  @Test
  void imagesJsonCarriesTheTablesFields() throws Exception {
    herd("revoke", "web:1", "--reason", "leaks debug port");
    Result r = herd("images", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    var rows = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
    assertThat(rows.isArray()).isTrue();
    assertThat(rows).hasSize(3);
    for (var row : rows) {
      assertThat(row.fieldNames()).toIterable().containsExactlyInAnyOrder("image", "digest", "created", "size", "channels", "revoked");
      assertThat(row.get("digest").asText()).matches("sha256:[0-9a-f]{64}");
      assertThat(row.get("size").asLong()).isPositive();
    }
    var web1 = java.util.stream.StreamSupport.stream(rows.spliterator(), false).filter(n -> n.get("image").asText().equals("web:1"))
        .findFirst().orElseThrow();
    assertThat(web1.get("revoked").asText()).isEqualTo("leaks debug port");
    StringWriter none = new StringWriter();
    assertThat(HerdCli.run(new String[] {"images", "--json", "--state", tmp.resolve("empty").toString()},
        new PrintWriter(none, true), new PrintWriter(new StringWriter(), true))).isZero();
    assertThat(none.toString().strip()).isEqualTo("[ ]");
  }
}
