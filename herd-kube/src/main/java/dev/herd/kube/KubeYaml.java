package dev.herd.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Objects as one YAML stream, in the order given, for review and for GitOps users who apply them
 * themselves. Secret values are left out unless asked for: the printout lands in terminals,
 * pull requests and CI logs.
 */
public final class KubeYaml {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private KubeYaml() {}

  public static String print(List<HasMetadata> objects, boolean showSecrets) {
    StringBuilder out = new StringBuilder();
    for (HasMetadata o : objects) {
      HasMetadata shown = !showSecrets && o instanceof Secret s ? redacted(s) : o;
      String doc = SERIALIZATION.asYaml(shown);
      if (!doc.startsWith("---")) {
        out.append("---\n");
      }
      out.append(doc);
      if (!doc.endsWith("\n")) {
        out.append('\n');
      }
    }
    return out.toString();
  }

  /** The Secret with each value replaced by a note of its size, and marked so nobody applies it by mistake. */
  static Secret redacted(Secret s) {
    Map<String, String> notes = new TreeMap<>();
    if (s.getData() != null) {
      s.getData().forEach((k, v) -> notes.put(k, "<redacted: " + Base64.getDecoder().decode(v).length + " bytes>"));
    }
    Map<String, String> annotations = new TreeMap<>();
    if (s.getMetadata().getAnnotations() != null) {
      annotations.putAll(s.getMetadata().getAnnotations());
    }
    annotations.put(KubeObjects.REDACTED, "true"); // values left out (herd render kubernetes --help)
    return new SecretBuilder(s).withData(null).withStringData(notes)
        .editMetadata().withAnnotations(annotations).endMetadata().build();
  }
}
