package dev.herd.cli;

import dev.herd.config.ConfigException;
import dev.herd.config.HerdConfig;
import dev.herd.server.client.ApiClient;
import dev.herd.spec.Spec;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * How config, secret and flag commands reach the config service: through the running
 * controller's API when one runs (so it reacts at once: new releases, reloads, node files), else
 * directly on the state directory (herd.db and the secrets key), where the change waits for the
 * next {@code herd up}.
 */
final class ConfigClient {
  static final String OFFLINE_NOTE = "no controller is running: stored in %s; nodes get it when `herd up` next runs";

  private ConfigClient() {}

  /** The running controller's API, or empty when none runs for the project. */
  static Optional<ApiClient> running(ProjectOptions project) {
    try {
      return Optional.of(ApiClient.forStateDir(ApiConnection.stateDir(project), ApiConnection.TIMEOUT));
    } catch (ApiClient.NoController e) {
      return Optional.empty();
    }
  }

  /** Works on the state directory directly with the project's herd.yaml (for its environments and roles). */
  static <T> T offline(ProjectOptions project, Map<String, String> env, Function<Offline, T> work) {
    Spec spec = project.loadSpec(null);
    Path state = project.stateDir(spec.file());
    try (HerdConfig cfg = HerdConfig.open(state, env)) {
      return work.apply(new Offline(spec, cfg, state));
    } catch (ConfigException e) {
      throw failure(e);
    }
  }

  record Offline(Spec spec, HerdConfig cfg, Path state) {
    String note() {
      return String.format(OFFLINE_NOTE, state);
    }
  }

  static CliFailure failure(ConfigException e) {
    return new CliFailure(e.kind() == ConfigException.Kind.INVALID ? HerdCli.USAGE : HerdCli.FAILED, e.getMessage(), e);
  }

  /** {@code prod/web} → {env, role}. */
  static String[] scope(String text) {
    String[] parts = text.split("/", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new CliFailure(HerdCli.USAGE, "expected ENV/ROLE like prod/web, got '" + text + "'");
    }
    return parts;
  }

  static String seg(String s) {
    return ApiConnection.segment(s);
  }

  static String author() {
    return System.getProperty("user.name", "cli");
  }
}
