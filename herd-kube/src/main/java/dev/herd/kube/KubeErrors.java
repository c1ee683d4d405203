package dev.herd.kube;

import dev.herd.engine.EngineFailure;
import dev.herd.engine.EngineUnreachable;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Locale;

/**
 * The one line an operator reads when the API server says no: which object, and why, in words
 * that say what to do (RBAC, quota, a namespace that does not exist) instead of a status dump.
 */
final class KubeErrors {
  private KubeErrors() {}

  /**
   * @param verb what herd tried ("create", "delete", "list", "watch")
   * @param object {@code Kind namespace/name}, or {@code Kind namespace} for a collection
   */
  static RuntimeException of(String verb, String object, KubernetesClientException e) {
    int code = e.getCode();
    String said = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    said = said == null ? "" : said.strip();
    String lower = said.toLowerCase(Locale.ROOT);
    String head = "kubernetes: cannot " + verb + " " + object + ": ";
    String why;
    if (code == 403 && lower.contains("exceeded quota")) {
      why = "quota exceeded (" + said + ")";
    } else if (code == 403) {
      why = "forbidden by RBAC: herd's user may not " + verb + " it (README lists the verbs herd needs; the server said: " + said + ")";
    } else if (code == 404 && lower.contains("namespaces")) {
      why = "the namespace does not exist (herd never creates it; create it or fix environments.*.engine.kubernetes.namespace)";
    } else if (code == 404) {
      why = "not found (" + said + ")";
    } else if (code == 409) {
      why = "it already exists (" + said + ")";
    } else if (code == 422) {
      why = "the server refused it as invalid (" + said + ")";
    } else if (code == 401) {
      why = "not authenticated: the kubeconfig's credentials were refused";
    } else if (code == 0 || code >= 500) {
      return new EngineUnreachable(head + "the API server did not answer (" + (said.isEmpty() ? e.getClass().getSimpleName() : said) + ")", e);
    } else {
      why = "HTTP " + code + " (" + said + ")";
    }
    return new EngineFailure(head + why, code, e);
  }
}
