package dev.herd.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code environments.NAME.engine}: local by default, or a Kubernetes context and namespace. */
class EngineTargetSpecTest {
  static final String HEAD = """
      project: {name: demo}
      roles:
        web: {base: {scratch: {}}, command: [/app]}
      registries:
        lab: {url: "https://registry.example.com", credentials: lab-pull}
      environments:
        dev: {}
      """;

  static SpecResult load(String prod) {
    return SpecLoader.load(Path.of("herd.yaml"), (HEAD + "  prod:\n" + prod).getBytes(StandardCharsets.UTF_8));
  }

  static List<String> errors(String prod) {
    return load(prod).errors().stream().map(SpecError::render).toList();
  }

  @Test
  void theSameSpecRunsDevLocallyAndProdOnACluster() {
    Spec spec = load("""
            engine: {kubernetes: {context: prod-eu, namespace: shop, registry: lab/shop}}
        """).orThrow();
    assertThat(spec.environments().get("dev").engine()).isEqualTo(EngineTarget.LOCAL);
    assertThat(spec.environments().get("dev").kubernetes()).isEmpty();
    EngineTarget.Kubernetes k = spec.environments().get("prod").kubernetes().orElseThrow();
    assertThat(k.context()).contains("prod-eu");
    assertThat(k.namespace()).isEqualTo("shop");
    assertThat(k.registry()).contains("lab/shop");
    assertThat(k.location().line()).isEqualTo(9);
  }

  @Test
  void contextDefaultsToTheCurrentOneAndLocalCanBeWrittenOut() {
    Spec spec = load("""
            engine: {kubernetes: {namespace: shop}}
        """).orThrow();
    assertThat(spec.environments().get("prod").kubernetes().orElseThrow().context()).isEmpty();
    assertThat(load("    engine: {local: {}}\n").orThrow().environments().get("prod").engine()).isEqualTo(EngineTarget.LOCAL);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "no namespace        | 'engine: {kubernetes: {context: c}}'                          | herd.yaml:9:14: environments.prod.engine.kubernetes: missing required key \"namespace\"",
      "namespace not DNS   | 'engine: {kubernetes: {namespace: Shop_1}}'                    | herd.yaml:9:38: environments.prod.engine.kubernetes.namespace: expected a DNS label",
      "namespace too long  | 'engine: {kubernetes: {namespace: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}}' | herd.yaml:9:38: environments.prod.engine.kubernetes.namespace: expected a DNS label",
      "context with space  | 'engine: {kubernetes: {namespace: shop, context: \"my ctx\"}}' | herd.yaml:9:53: environments.prod.engine.kubernetes.context: expected a kubeconfig context name",
      "unknown registry    | 'engine: {kubernetes: {namespace: shop, registry: lba/shop}}'  | herd.yaml:9:54: environments.prod.engine.kubernetes.registry: no registry \"lba\" in registries (did you mean \"lab\"?)",
      "registry with tag   | 'engine: {kubernetes: {namespace: shop, registry: \"lab/shop:1\"}}' | herd.yaml:9:54: environments.prod.engine.kubernetes.registry: expected REGISTRY/PATH",
      "both engines        | 'engine: {local: {}, kubernetes: {namespace: shop}}'           | herd.yaml:9:25: environments.prod.engine: has both local and kubernetes",
      "no engine at all    | 'engine: {}'                                                   | herd.yaml:9:5: environments.prod.engine: needs exactly one of local or kubernetes",
      "misspelt key        | 'engine: {kubernetes: {namespace: shop, contxt: a}}'           | herd.yaml:9:44: environments.prod.engine.kubernetes.contxt: unknown key (did you mean \"context\"?)",
  })
  void refusesWithALocatedError(String what, String engine, String expected) {
    List<String> errors = errors("    " + engine + "\n");
    assertThat(errors).as(what).anySatisfy(e -> assertThat(e).startsWith(expected));
    assertThat(errors).as("one problem, one line").hasSize(1);
  }

  @Test
  void oneEnvironmentOfAMixedSpecIsWhatOneControllerRuns() {
    String yaml = HEAD + "  prod:\n    engine: {kubernetes: {namespace: shop}}\n"
        + "fleets:\n  web: {role: web, environment: prod}\n  web-dev: {role: web, environment: dev}\n"
        + "  cache-dev: {role: web, environment: dev, depends_on: [web-dev]}\n";
    Spec mixed = SpecLoader.load(Path.of("herd.yaml"), yaml.getBytes(StandardCharsets.UTF_8)).orThrow();
    assertThat(mixed.engineRefusal()).isPresent();

    Spec prod = mixed.onlyEnvironment("prod");
    assertThat(prod.fleets()).containsOnlyKeys("web");
    assertThat(prod.engineRefusal()).isEmpty();
    assertThat(prod.engineTarget()).isInstanceOf(EngineTarget.Kubernetes.class);
    Spec dev = mixed.onlyEnvironment("dev");
    assertThat(dev.fleets()).containsOnlyKeys("web-dev", "cache-dev");
    assertThat(dev.engineTarget()).isEqualTo(EngineTarget.LOCAL);
    assertThat(dev.roles()).isEqualTo(mixed.roles());

    assertThatThrownBy(() -> mixed.onlyEnvironment("stage")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("environment stage is not in herd.yaml (it has dev, prod)");
    Spec crossing = SpecLoader.load(Path.of("herd.yaml"), (HEAD + "  prod:\n    engine: {kubernetes: {namespace: shop}}\n"
        + "fleets:\n  db: {role: web, environment: dev}\n  web: {role: web, environment: prod, depends_on: [db]}\n")
        .getBytes(StandardCharsets.UTF_8)).orThrow();
    assertThatThrownBy(() -> crossing.onlyEnvironment("prod")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fleet web (environment prod) depends on fleet db of environment dev, which another controller runs");
    Spec devOnly = SpecLoader.load(Path.of("herd.yaml"), (HEAD + "  prod: {}\nfleets:\n  web: {role: web, environment: dev}\n")
        .getBytes(StandardCharsets.UTF_8)).orThrow();
    assertThatThrownBy(() -> devOnly.onlyEnvironment("prod")).hasMessage("environment prod has no fleets in herd.yaml");
  }

  @Test
  void oneControllerDrivesOneEngine() {
    String fleets = "fleets:\n  web: {role: web, environment: prod}\n  web-dev: {role: web, environment: dev}\n";
    Spec mixed = SpecLoader.load(Path.of("herd.yaml"), (HEAD + "  prod:\n    engine: {kubernetes: {namespace: shop}}\n" + fleets)
        .getBytes(StandardCharsets.UTF_8)).orThrow();
    assertThat(mixed.clusterFleets()).extracting(Fleet::name).containsExactly("web");
    assertThat(mixed.engineRefusal()).get().asString().startsWith("fleet web runs in environment prod on Kubernetes namespace shop"
        + " of the current context and fleet web-dev in environment dev on the local engine: one herd controller drives one engine");

    String prodOnly = "fleets:\n  web: {role: web, environment: prod}\n";
    Spec onCluster = SpecLoader.load(Path.of("herd.yaml"), (HEAD + "  prod:\n    engine: {kubernetes: {namespace: shop}}\n" + prodOnly)
        .getBytes(StandardCharsets.UTF_8)).orThrow();
    assertThat(onCluster.engineRefusal()).as("dev has no fleet: it does not count").isEmpty();
    assertThat(onCluster.engineTarget()).isInstanceOfSatisfying(EngineTarget.Kubernetes.class,
        k -> assertThat(k.namespace()).isEqualTo("shop"));

    Spec twoNamespaces = SpecLoader.load(Path.of("herd.yaml"), (HEAD + "  prod:\n    engine: {kubernetes: {namespace: shop}}\n"
        + "  stage:\n    engine: {kubernetes: {namespace: shop-stage}}\n"
        + "fleets:\n  web: {role: web, environment: prod}\n  web-stage: {role: web, environment: stage}\n")
        .getBytes(StandardCharsets.UTF_8)).orThrow();
    assertThat(twoNamespaces.engineRefusal()).get().asString()
        .contains("on Kubernetes namespace shop of the current context and fleet web-stage in environment stage on Kubernetes namespace shop-stage");

    Spec local = SpecLoader.load(Path.of("herd.yaml"), (HEAD + "  prod: {}\n" + fleets).getBytes(StandardCharsets.UTF_8)).orThrow();
    assertThat(local.clusterFleets()).isEmpty();
    assertThat(local.engineRefusal()).isEmpty();
    assertThat(local.engineTarget()).isEqualTo(EngineTarget.LOCAL);
  }

  @Test
  void aBadEngineInvalidatesTheSpec() {
    assertThat(load("    engine: {kubernetes: {namespace: \"-x\"}}\n")).isInstanceOf(SpecResult.Invalid.class);
    assertThat(load("    engine: {kubernetes: {namespace: x}}\n").errors()).isEmpty();
  }
}
