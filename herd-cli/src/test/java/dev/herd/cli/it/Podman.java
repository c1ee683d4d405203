package dev.herd.cli.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The podman CLI, as an operator would use it beside herd. */
final class Podman {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Podman() {}

  /** One container of a project: name, state (running, exited …), the release and generation herd labelled. */
  record Container(String name, String state, String release, String generation) {
    boolean running() {
      return state.equals("running");
    }
  }

  /** Every container (running or not) labelled with the project, as podman sees them. */
  static List<Container> containers(String project) {
    String json = String.join("\n", run("ps", "-a", "--filter", "label=herd.project=" + project, "--format", "json"));
    List<Container> out = new ArrayList<>();
    try {
      for (JsonNode c : JSON.readTree(json)) {
        JsonNode labels = c.path("Labels");
        out.add(new Container(c.path("Names").path(0).asText(), c.path("State").asText(),
            labels.path("herd.release").asText(), labels.path("herd.generation").asText()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("podman ps printed no JSON: " + json, e);
    }
    return out;
  }

  static void kill(String container) {
    run("kill", container);
  }

  /** Removes every container of the project (test cleanup; the label is unique per test class). */
  static void removeAll(String project) {
    List<String> ids = run("ps", "-aq", "--filter", "label=herd.project=" + project);
    if (!ids.isEmpty()) {
      List<String> cmd = new ArrayList<>(List.of("rm", "-f", "-t", "0"));
      cmd.addAll(ids);
      run(cmd.toArray(String[]::new));
    }
  }

  static List<String> run(String... args) {
    List<String> cmd = new ArrayList<>(List.of("podman"));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out.strip());
      }
      return out.lines().filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", cmd), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", cmd), e);
    }
  }
}
