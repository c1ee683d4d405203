package dev.herd.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Debian's kubectl (kubernetes-client, 1.20) parses every object herd renders, offline. Its
 * strictest offline check: the {@code --local} form of {@code set image} (Pods) and
 * {@code set selector} (Services) decodes each document into the typed v1 object and prints it
 * back; a wrong type fails the decode, and a field kubectl does not know is missing from what it
 * prints, so every field herd wrote must come back with its value. ConfigMaps and Secrets have no
 * typed {@code --local} command in 1.20: {@code label --local} checks they parse as objects.
 * No cluster is contacted ({@code --local}, and an empty kubeconfig).
 */
class KubectlParsesRenderedIT {
  static final List<Path> CANDIDATES = List.of(Path.of("/var/lib/herd/kubernetes-client/usr/bin/kubectl"), Path.of("/usr/bin/kubectl"));
  static final ObjectMapper JSON = new ObjectMapper();

  static Path kubectl() {
    return CANDIDATES.stream().filter(Files::isExecutable).findFirst().orElse(null);
  }

  @Test
  void kubectlDecodesEveryRenderedObjectAndKeepsEveryField() throws Exception {
    Path k = kubectl();
    assumeTrue(k != null, "kubectl not installed (scripts/install-host-deps --tests)");
    for (boolean showSecrets : List.of(false, true)) {
      for (HasMetadata o : KubeObjectsTest.objects()) {
        String yaml = KubeYaml.print(List.of(o), showSecrets);
        List<String> args = new ArrayList<>(List.of(k.toString(), "--kubeconfig=/dev/null"));
        switch (o) {
          // kubectl prints only what it changed: each command changes one value, put back below
          case Pod p -> args.addAll(List.of("set", "image", "--local", "-f", "-", "-o", "json", "node=kubectl-check"));
          case Service s -> args.addAll(List.of("set", "selector", "--local", "-f", "-", "-o", "json",
              s.getSpec().getSelector().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","))
                  + ",herd.kubectl-check=1"));
          default -> args.addAll(List.of("label", "--local", "-f", "-", "-o", "json", "herd.check=ok"));
        }
        String out = run(args, yaml);
        JsonNode written = JSON.readTree(JSON.writeValueAsString(new org.snakeyaml.engine.v2.api.Load(
            org.snakeyaml.engine.v2.api.LoadSettings.builder().build()).loadFromString(yaml.substring(4))));
        com.fasterxml.jackson.databind.node.ObjectNode back = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(out);
        if (o instanceof Pod p) {
          ((com.fasterxml.jackson.databind.node.ObjectNode) back.get("spec").get("containers").get(0))
              .put("image", p.getSpec().getContainers().getFirst().getImage());
        } else if (o instanceof Service) {
          ((com.fasterxml.jackson.databind.node.ObjectNode) back.get("spec").get("selector")).remove("herd.kubectl-check");
        }
        assertSubset(o.getKind() + "/" + o.getMetadata().getName(), written, back);
      }
    }
  }

  @Test
  void theCheckCatchesAMisspeltFieldAndAWrongType() throws Exception {
    Path k = kubectl();
    assumeTrue(k != null, "kubectl not installed (scripts/install-host-deps --tests)");
    Pod p = KubeObjects.pod("shop", KubeFixtures.node("web-1", 1, true));
    String yaml = KubeYaml.print(List.of(p), false);
    List<String> args = List.of(k.toString(), "--kubeconfig=/dev/null", "set", "image", "--local", "-f", "-", "-o", "json", "node=kubectl-check");
    JsonNode back = JSON.readTree(run(args, yaml.replace("restartPolicy:", "restartPolcy:")));
    assertThat(back.path("spec").has("restartPolcy")).as("kubectl drops what it does not know").isFalse();
    Process bad = start(args, yaml.replace("containerPort: 8080", "containerPort: \"eighty\""));
    assertThat(bad.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(bad.exitValue()).isNotZero();
  }

  /** Every field of {@code written} is in {@code back} with the same value (kubectl may add defaults). */
  static void assertSubset(String where, JsonNode written, JsonNode back) {
    if (written.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = written.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        assertThat(back.has(e.getKey())).as(where + "." + e.getKey() + " survives kubectl's typed decode").isTrue();
        assertSubset(where + "." + e.getKey(), e.getValue(), back.get(e.getKey()));
      }
    } else if (written.isArray()) {
      assertThat(back.size()).as(where).isEqualTo(written.size());
      for (int i = 0; i < written.size(); i++) {
        assertSubset(where + "[" + i + "]", written.get(i), back.get(i));
      }
    } else {
      assertThat(back.asText()).as(where).isEqualTo(written.asText());
    }
  }

  static String run(List<String> args, String stdin) throws IOException, InterruptedException {
    Process p = start(args, stdin);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("kubectl " + args + " said: " + out).isZero();
    return out;
  }

  static Process start(List<String> args, String stdin) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true);
    pb.environment().put("KUBECONFIG", "/dev/null");
    Process p = pb.start();
    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    return p;
  }
}
