package dev.herd.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RegistrySpecTest {
  static final String HEAD = """
      project: {name: demo}
      roles:
        web: {base: {scratch: {}}, command: [/app]}
      registries:
      """;

  static SpecResult load(String registries) {
    return SpecLoader.load(Path.of("herd.yaml"), (HEAD + registries).getBytes(StandardCharsets.UTF_8));
  }

  static List<String> errors(String registries) {
    return load(registries).errors().stream().map(SpecError::render).toList();
  }

  @Test
  void readsRegistriesWithCredentialsByName() {
    Spec spec = load("""
          shop: {url: "https://registry.example.com:5000", credentials: shop-push}
          local: {url: "http://127.0.0.1:5000"}
        """).orThrow();
    Registry shop = spec.registries().get("shop");
    assertThat(shop.host()).isEqualTo("registry.example.com:5000");
    assertThat(shop.plainHttp()).isFalse();
    assertThat(shop.credentials()).contains("shop-push");
    assertThat(shop.ca()).isEmpty();
    Registry local = spec.registries().get("local");
    assertThat(local.plainHttp()).isTrue();
    assertThat(local.credentials()).isEqualTo(Optional.empty());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "literal password      | 'shop: {url: \"https://r.example.com\", password: hunter2}'  | herd.yaml:5:40: registries.shop.password: a password never goes into herd.yaml; run `herd login shop`",
      "literal username      | 'shop: {url: \"https://r.example.com\", username: ci}'       | herd.yaml:5:40: registries.shop.username: a password never goes into herd.yaml",
      "plain http off-host   | 'shop: {url: \"http://r.example.com\"}'                      | herd.yaml:5:15: registries.shop.url: plain http is allowed only for a loopback registry",
      "plain http private IP | 'shop: {url: \"http://10.1.2.3:5000\"}'                      | herd.yaml:5:15: registries.shop.url: plain http is allowed only for a loopback registry",
      "url with a path       | 'shop: {url: \"https://r.example.com/v2/x\"}'                | herd.yaml:5:15: registries.shop.url: expected a registry URL like https://registry.example.com",
      "no scheme             | 'shop: {url: \"r.example.com\"}'                             | herd.yaml:5:15: registries.shop.url: expected a registry URL",
      "missing ca file       | 'shop: {url: \"https://r.example.com\", ca: certs/ca.pem}'   | herd.yaml:5:44: registries.shop.ca: no such file: certs/ca.pem",
  })
  void refusesWithALocatedError(String what, String registry, String expected) {
    assertThat(errors("  " + registry + "\n")).anySatisfy(e -> assertThat(e).startsWith(expected));
  }

  @Test
  void aSpecWithoutRegistriesHasNone() {
    assertThat(SpecLoader.load(Path.of("herd.yaml"), HEAD.replace("registries:\n", "").getBytes(StandardCharsets.UTF_8))
        .orThrow().registries()).isEmpty();
  }

  @Test
  void channelsPushToADeclaredRegistryOrAHost() {
    Spec spec = load("""
          lab: {url: "http://127.0.0.1:5000"}
        channels:
          prod: {push: lab/shop}
          qa: {push: "registry.example.com:5000/qa"}
          dev: {}
        """).orThrow();
    assertThat(spec.channels().get("prod").destination("web")).contains("lab/shop/web:prod");
    assertThat(spec.channels().get("qa").destination("web")).contains("registry.example.com:5000/qa/web:qa");
    assertThat(spec.channels().get("dev").destination("web")).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "undeclared registry | 'prod: {push: lba/shop}'        | herd.yaml:7:16: channels.prod.push: no registry \"lba\" in registries (did you mean \"lab\"?)",
      "a tag               | 'prod: {push: lab/shop:prod}'   | herd.yaml:7:16: channels.prod.push: expected REGISTRY/PATH like lab/shop",
      "no path             | 'prod: {push: lab}'             | herd.yaml:7:16: channels.prod.push: expected REGISTRY/PATH",
  })
  void refusesABadChannelPush(String what, String channel, String expected) {
    assertThat(errors("  lab: {url: \"http://127.0.0.1:5000\"}\nchannels:\n  " + channel + "\n"))
        .anySatisfy(e -> assertThat(e).startsWith(expected));
  }

  static List<String> roleErrors(String base) {
    String yaml = "project: {name: demo}\nroles:\n  web: {base: " + base + "}\n";
    return SpecLoader.load(Path.of("herd.yaml"), yaml.getBytes(StandardCharsets.UTF_8)).errors().stream().map(SpecError::render).toList();
  }

  @Test
  void aRegistryBaseIsARefWithoutPathAndNeedsNoCommand() {
    String yaml = "project: {name: demo}\nroles:\n  web: {base: {image: {ref: lab/shop/base:1}}}\n";
    Spec spec = SpecLoader.load(Path.of("herd.yaml"), yaml.getBytes(StandardCharsets.UTF_8)).orThrow();
    assertThat(spec.role("web").base()).isEqualTo(new Base.Registry("lab/shop/base:1", false, spec.role("web").base().location()));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "neither path nor ref | '{image: {}}'                              | roles.web.base.image: needs path (an image file or layout) or ref (a registry image",
      "format without path  | '{image: {ref: lab/x:1, format: oci-layout}}' | roles.web.base.image.format: format goes with path",
      "ref is no registry   | '{image: {ref: debian}}'                   | roles.web.base.image.ref: expected a registry image REGISTRY/REPO[:TAG]",
      "path without format  | '{image: {path: base.tar}}'                | roles.web.base.image: needs format with path",
  })
  void refusesABadImageBase(String what, String base, String expected) {
    assertThat(roleErrors(base)).anySatisfy(e -> assertThat(e).contains(expected));
  }
}
