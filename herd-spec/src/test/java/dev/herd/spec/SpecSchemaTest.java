package dev.herd.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/** The generated JSON Schema, checked with a real validator and against the loader. */
class SpecSchemaTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode schemaJson() throws Exception {
    return JSON.readTree(SpecSchema.json());
  }

  static JsonSchema schema() {
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(SpecSchema.json());
  }

  static JsonNode yamlAsJson(Path file) throws Exception {
    Object doc = new Load(LoadSettings.builder().setSchema(new CoreSchema()).build())
        .loadFromString(Files.readString(file, StandardCharsets.UTF_8));
    return JSON.valueToTree(doc);
  }

  @Test
  void isADraft202012Schema() throws Exception {
    JsonNode s = schemaJson();
    assertThat(s.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
    assertThat(s.get("required").toString()).isEqualTo("[\"project\",\"roles\"]");
    // The validator ships the 2020-12 meta-schema, so this runs offline.
    JsonSchema meta = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
        .getSchema(java.net.URI.create(SpecSchema.DIALECT));
    assertThat(meta.validate(s)).as("the schema is valid against the 2020-12 meta-schema").isEmpty();
    // A schema that is not even an object fails that check, so the assertion above can fail.
    assertThat(meta.validate(JSON.readTree("{\"type\": 12}"))).isNotEmpty();
  }

  @Test
  void acceptsTheHelloWebExample() throws Exception {
    Set<ValidationMessage> errors = schema().validate(yamlAsJson(SpecLoaderTest.helloWeb()));
    assertThat(errors).isEmpty();
  }

  @Test
  void acceptsTheFullSpecWithEveryKey() throws Exception {
    assertThat(schema().validate(yamlAsJson(SpecLoaderTest.resource("/full/herd.yaml")))).isEmpty();
  }

  /** Specs the loader refuses for reasons a schema can express: the schema refuses them too. */
  @ParameterizedTest
  @ValueSource(strings = {
    "12-unknown-top-key", "13-project-name-invalid", "16-base-none", "17-base-two", "18-debian-variant-bad",
    "19-packages-not-list", "21-resource-no-kind", "22-resource-two-kinds", "23-resource-unknown-key", "24-mode-unquoted",
    "26-relative-target", "28-file-content-and-source", "29-file-neither", "35-run-step-bad", "37-command-not-list",
    "41-limits-bad", "42-health-bad-duration", "44-health-two-checks", "45-health-threshold-zero", "46-tests-bad",
    "47-fleet-typo", "49-fleet-count-range", "50-fleet-name-pattern", "52-rollout-bad", "55-drift-bad-enum",
    "56-image-ref-bad", "59-wrong-types", "65-user-resource-bad", "69-unknown-keys-everywhere",
    "72-expose-port-out-of-range", "75-expose-node-port-and-missing-port"
  })
  void refusesWhatTheLoaderRefusesStructurally(String name) throws Exception {
    Path file = InvalidSpecCorpusTest.corpus().resolve(name + ".yaml");
    assertThat(schema().validate(yamlAsJson(file))).isNotEmpty();
  }

  @Test
  void theSchemaTheTableAndTheLoaderAgreeOnEveryKey() throws Exception {
    Set<String> fromSchema = new TreeSet<>();
    walk(schemaJson(), "", fromSchema);
    Set<String> fromTable = new TreeSet<>(SpecSchema.keyPaths());
    Path full = SpecLoaderTest.resource("/full/herd.yaml");
    Set<String> readByLoader = new TreeSet<>(SpecLoader.keysRead(full, Files.readAllBytes(full)));

    assertThat(fromSchema).isEqualTo(fromTable);
    assertThat(readByLoader).as("keys the loader reads while loading a spec with every key").isEqualTo(fromTable);
    assertThat(fromTable).contains(".roles.*.health.interval", ".fleets.*.rollout.canary.promote_after",
        ".roles.*.resources[]{user}.groups", ".roles.*.tests[]{command}.exit_status");
  }

  /** Key paths in a generated schema, in the notation of {@link SpecSchema#keyPaths()}. */
  private static void walk(JsonNode s, String path, Set<String> out) {
    if (s.has("properties")) {
      for (Iterator<Map.Entry<String, JsonNode>> it = s.get("properties").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.add(path + "." + e.getKey());
        walk(e.getValue(), path + "." + e.getKey(), out);
      }
    }
    if (s.has("additionalProperties") && s.get("additionalProperties").isObject()) {
      walk(s.get("additionalProperties"), path + ".*", out);
    }
    if (s.has("items")) {
      walk(s.get("items"), path + "[]", out);
    }
    if (s.has("oneOf") && !s.has("properties")) {
      for (JsonNode option : s.get("oneOf")) {
        walk(option, path + "{" + option.get("required").get(0).asText() + "}", out);
      }
    }
  }
}
