package dev.herd.cli;

import dev.herd.config.ConfigException;
import dev.herd.config.HerdConfig;
import dev.herd.config.Secret;
import dev.herd.image.oci.ImageException;
import dev.herd.image.registry.Credentials;
import dev.herd.image.registry.RegistryAccess;
import dev.herd.image.registry.RegistryRef;
import dev.herd.spec.Registry;
import dev.herd.spec.Spec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Finds how to reach the registry a ref names: a {@code registries:} entry (by its name as the
 * ref's first component, or by host), with its CA and the credentials {@code herd login} stored;
 * otherwise anonymous access (a loopback registry may then be plain HTTP).
 */
final class Registries {
  private Registries() {}

  /** The ref and how to reach its registry. */
  record Target(RegistryRef ref, RegistryAccess access) {}

  /** The spec if there is one (push and pull of anonymous refs need none). */
  static Optional<Spec> optionalSpec(ProjectOptions project) {
    if (project.file == null && !java.nio.file.Files.isRegularFile(Path.of("").toAbsolutePath().resolve(ProjectOptions.SPEC_FILE))) {
      return Optional.empty();
    }
    return Optional.of(project.loadSpec(null));
  }

  static Target resolve(String text, Optional<Spec> spec, Path stateDir) {
    String expanded = text;
    Registry named = null;
    int slash = text.indexOf('/');
    if (spec.isPresent() && slash > 0 && spec.get().registries().containsKey(text.substring(0, slash))) {
      named = spec.get().registries().get(text.substring(0, slash));
      expanded = named.host() + text.substring(slash);
    }
    RegistryRef ref;
    try {
      ref = RegistryRef.parse(expanded);
    } catch (ImageException e) {
      throw new CliFailure(HerdCli.USAGE, e.getMessage());
    }
    if (named == null && spec.isPresent()) {
      named = spec.get().registries().values().stream().filter(r -> r.host().equals(ref.host())).findFirst().orElse(null);
    }
    if (named == null) {
      return new Target(ref, RegistryAccess.anonymous(ref));
    }
    Path ca = named.ca().map(c -> spec.get().resolve(c)).orElse(null);
    Credentials credentials = null;
    if (named.credentials().isPresent()) {
      credentials = credentials(named, stateDir);
    }
    return new Target(ref, new RegistryAccess(named.host(), named.plainHttp(), ca, credentials));
  }

  /** For the bake's registry bases: the credentials herd login stored, read when a base needs them. */
  static java.util.function.Function<Registry, Credentials> logins(Path stateDir) {
    return r -> credentials(r, stateDir);
  }

  private static Credentials credentials(Registry r, Path stateDir) {
    String name = r.credentials().orElseThrow();
    try (HerdConfig cfg = HerdConfig.open(stateDir, System.getenv())) {
      Secret s = cfg.secrets().registryCredentials(r.name(), name).orElseThrow(() -> new CliFailure(HerdCli.FAILED,
          "registry " + r.name() + " needs credentials " + name + " and none are stored; run `herd login " + r.name() + "`"));
      byte[] v = s.value();
      try {
        int nl = indexOf(v, (byte) '\n');
        if (nl <= 0) {
          throw new CliFailure(HerdCli.FAILED, "stored credentials of registry " + r.name() + " are damaged; run `herd login " + r.name() + "` again");
        }
        return new Credentials(new String(v, 0, nl, StandardCharsets.UTF_8), Arrays.copyOfRange(v, nl + 1, v.length));
      } finally {
        Arrays.fill(v, (byte) 0);
      }
    } catch (ConfigException e) {
      throw ConfigClient.failure(e);
    }
  }

  static int indexOf(byte[] v, byte b) {
    for (int i = 0; i < v.length; i++) {
      if (v[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
