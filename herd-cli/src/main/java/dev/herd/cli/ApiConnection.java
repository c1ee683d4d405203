package dev.herd.cli;

import dev.herd.server.client.ApiClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * How thin-client commands reach the running controller, and the one place where API failures
 * become exit codes: 400 → usage (2); 401, 503 and no answer → environment (4); the rest → 1.
 */
final class ApiConnection {
  /** Generous: apply may bake images before it answers. */
  static final Duration TIMEOUT = Duration.ofMinutes(30);

  private ApiConnection() {}

  /** The state directory: --state, else .herd/ beside the spec (-f or ./herd.yaml). */
  static Path stateDir(ProjectOptions project) {
    if (project.state != null) {
      return project.state.toAbsolutePath().normalize();
    }
    try {
      return project.stateDir(project.specFile(null));
    } catch (CliFailure noSpec) {
      // No herd.yaml here: there is no project, so no controller either; say so in those words.
      return Path.of("").toAbsolutePath().resolve(".herd");
    }
  }

  static ApiClient connect(ProjectOptions project) {
    Path state = stateDir(project);
    try {
      return ApiClient.forStateDir(state, TIMEOUT);
    } catch (ApiClient.NoController e) {
      throw noController(state, e);
    }
  }

  /** Runs one API call, turning its failures into CLI failures with exit codes. */
  static <T> T call(ProjectOptions project, Supplier<T> call) {
    try {
      return call.get();
    } catch (ApiClient.NoController e) {
      throw noController(stateDir(project), e);
    } catch (ApiClient.ApiFailure e) {
      throw failure(e);
    }
  }

  /** A fleet name as one URL path segment (names are [a-z0-9-], anything else is encoded and refused by the server). */
  static String segment(String name) {
    return java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }

  static CliFailure failure(ApiClient.ApiFailure e) {
    StringBuilder msg = new StringBuilder(e.getMessage());
    e.details().forEach(d -> msg.append(System.lineSeparator()).append("  ").append(d));
    int code = switch (e.status()) {
      case 400 -> HerdCli.USAGE;
      case 0, 401, 503 -> HerdCli.ENVIRONMENT;
      default -> HerdCli.FAILED;
    };
    return new CliFailure(code, msg.toString(), e);
  }

  private static CliFailure noController(Path state, ApiClient.NoController e) {
    Path where = state.getFileName() != null && state.getFileName().toString().equals(".herd") ? state.getParent() : state;
    return new CliFailure(HerdCli.ENVIRONMENT, "no herd controller is running for " + where
        + "; start one with `herd up`" + e.detail().map(d -> " (" + d + ")").orElse(""), e);
  }
}
