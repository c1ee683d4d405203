package dev.herd.spec;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;

/** Reads {@code registries.NAME}: url, ca, credentials; refuses a password written in the spec. */
final class RegistryReader extends Binding {
  static final String NO_LITERAL_PASSWORD =
      "a password never goes into herd.yaml; run `herd login %s` (it stores the credentials encrypted) and name them with credentials:";

  /**
   * For a key no shape declares under a registry: a user name, password or token written into the
   * spec gets its own message (the tree builder asks before saying "unknown key").
   */
  static Optional<String> literalSecret(String path, String key) {
    if (!path.startsWith("registries.") || path.indexOf('.', "registries.".length()) >= 0) {
      return Optional.empty();
    }
    if (dev.herd.common.secrets.SecretRules.secretWordInName(key).isPresent() || key.equalsIgnoreCase("username") || key.equalsIgnoreCase("user")
        || key.equalsIgnoreCase("auth")) {
      return Optional.of(String.format(NO_LITERAL_PASSWORD, path.substring("registries.".length())));
    }
    return Optional.empty();
  }

  RegistryReader(Problems problems, Path dir) {
    super(problems, dir);
  }

  private static final java.util.regex.Pattern PUSH = java.util.regex.Pattern.compile(
      "([A-Za-z0-9.-]+(?::[0-9]{1,5})?|\\[[0-9a-fA-F:]+](?::[0-9]{1,5})?)((?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)+)");

  /** {@code channels.NAME}: push must be REGISTRY/PATH with REGISTRY declared or a host, and no tag. */
  Optional<Channel> readChannel(String name, Fields c, Location at, java.util.Set<String> registries) {
    Optional<String> push = c.optString("push");
    if (push.isPresent()) {
      Matcher m = PUSH.matcher(push.get());
      String first = m.matches() ? m.group(1) : "";
      boolean host = first.contains(".") || first.contains(":") || first.equals("localhost");
      if (!m.matches()) {
        error(c, "push", "expected REGISTRY/PATH like lab/shop (lowercase path, no tag: the tag is the channel), got \"" + push.get() + "\"");
        return Optional.empty();
      }
      if (!host && !registries.contains(first)) {
        error(c, "push", dangling("registry", first, registries, "registries"));
        return Optional.empty();
      }
    }
    return guard(at, c.path(), () -> new Channel(name, push, at));
  }

  /**
   * {@code environments.NAME.engine}: local by default; kubernetes needs a namespace, and its
   * registry follows the channel's REGISTRY/PATH rule. Empty (with the problem recorded) when bad.
   */
  Optional<EngineTarget> readEngine(Fields env, java.util.Set<String> registries) {
    if (!env.has("engine")) {
      return Optional.of(EngineTarget.LOCAL);
    }
    Fields e = env.obj("engine");
    e.obj("local"); // nothing to read in it, but it is a key the loader knows
    if (!e.has("kubernetes")) {
      return Optional.of(EngineTarget.LOCAL);
    }
    Fields k = e.obj("kubernetes");
    boolean ok = true;
    Optional<String> context = k.optString("context");
    if (context.isPresent() && !EngineTarget.Kubernetes.CONTEXT.matcher(context.get()).matches()) {
      error(k, "context", "expected " + EngineTarget.Kubernetes.CONTEXT_RULE + ", got " + Texts.quote(context.get()));
      ok = false;
    }
    String namespace = k.string("namespace");
    if (!namespace.isEmpty() && !EngineTarget.Kubernetes.NAMESPACE.matcher(namespace).matches()) {
      error(k, "namespace", "expected " + EngineTarget.Kubernetes.NAMESPACE_RULE + ", got " + Texts.quote(namespace));
      ok = false;
    }
    Optional<String> registry = k.optString("registry");
    if (registry.isPresent()) {
      Matcher m = PUSH.matcher(registry.get());
      String first = m.matches() ? m.group(1) : "";
      boolean host = first.contains(".") || first.contains(":") || first.equals("localhost");
      if (!m.matches()) {
        error(k, "registry", "expected REGISTRY/PATH like lab/shop (lowercase path, no tag: images go by digest), got "
            + Texts.quote(registry.get()));
        ok = false;
      } else if (!host && !registries.contains(first)) {
        error(k, "registry", dangling("registry", first, registries, "registries"));
        ok = false;
      }
    }
    if (!ok || namespace.isEmpty()) { // an empty one is missing or mistyped: already reported
      return Optional.empty();
    }
    return guard(e.keyLocOf("kubernetes"), k.path(),
        () -> new EngineTarget.Kubernetes(context, namespace, registry, e.keyLocOf("kubernetes")));
  }

  Optional<Registry> read(String name, Fields r, Location at) {
    boolean ok = true;
    Matcher url = Registry.URL.matcher(r.string("url"));
    if (!url.matches()) {
      error(r, "url", "expected " + Registry.URL_WHAT + ", got \"" + r.string("url") + "\"");
      return Optional.empty();
    }
    boolean http = url.group(1).equals("http");
    if (http && !Registry.loopback(url.group(2))) {
      error(r, "url", "plain http is allowed only for a loopback registry (127.0.0.1, ::1, localhost); use https://");
      ok = false;
    }
    checkSource(r, "ca", false);
    if (!ok) {
      return Optional.empty();
    }
    return guard(at, r.path(), () -> new Registry(name, url.group(2), http, r.optString("ca"), r.optString("credentials"), at));
  }
}
