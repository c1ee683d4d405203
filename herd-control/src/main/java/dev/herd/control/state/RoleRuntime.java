package dev.herd.control.state;

import dev.herd.engine.NodeSpec;
import dev.herd.spec.Durations;
import dev.herd.spec.Health;
import dev.herd.spec.Location;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * How a role's nodes run, pinned in a release so a rollback restores exactly what ran before:
 * command ({@code ${PORT}} and {@code ${HOST}} are replaced by the node's port and listen address at launch), config env, read-only root
 * with its writable paths, health check, limits and the role's {@code launch:} templates (so a
 * change of them is a new release, rolled out like any other, and every node of one release
 * computes its launch settings from the same templates).
 *
 * @param memoryBytes 0 for no limit
 * @param cpus 0 for no limit
 */
public record RoleRuntime(
    String role,
    List<String> command,
    Map<String, String> env,
    boolean readOnlyRoot,
    List<String> writable,
    Optional<Health> health,
    long memoryBytes,
    double cpus,
    Map<String, String> launch) {
  private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  public RoleRuntime {
    Objects.requireNonNull(role, "role");
    command = List.copyOf(command);
    env = Map.copyOf(new TreeMap<>(env));
    for (String key : env.keySet()) {
      if (!ENV_KEY.matcher(key).matches()) {
        throw new IllegalArgumentException("role " + role + ": config key " + key
            + " cannot be an environment variable (letters, digits and _, not starting with a digit)");
      }
      if (key.equals("PORT") || key.equals("HOST")) {
        throw new IllegalArgumentException("role " + role + ": config must not set " + key
            + "; herd sets PORT and HOST to the node's port and listen address");
      }
    }
    writable = List.copyOf(writable);
    Objects.requireNonNull(health, "health");
    if (memoryBytes < 0 || cpus < 0) {
      throw new IllegalArgumentException("limits must not be negative");
    }
    launch = Map.copyOf(new TreeMap<>(launch));
  }

  /** A runtime with no launch settings. */
  public RoleRuntime(String role, List<String> command, Map<String, String> env, boolean readOnlyRoot, List<String> writable,
      Optional<Health> health, long memoryBytes, double cpus) {
    this(role, command, env, readOnlyRoot, writable, health, memoryBytes, cpus, Map.of());
  }

  /** The same runtime with other config env (a config revision). */
  public RoleRuntime withEnv(Map<String, String> newEnv) {
    return new RoleRuntime(role, command, newEnv, readOnlyRoot, writable, health, memoryBytes, cpus, launch);
  }

  /** The command with {@code ${PORT}} and {@code ${HOST}} replaced. */
  public List<String> commandFor(int port) {
    return command.stream().map(a -> a.replace("${PORT}", Integer.toString(port)).replace("${HOST}", NodeSpec.HOST)).toList();
  }

  /** The health check as text, comparable across releases (source locations left out). */
  public String healthText() {
    Map<String, String> f = new TreeMap<>(toFields(""));
    f.keySet().removeIf(k -> !k.startsWith("health."));
    return f.toString();
  }

  Map<String, String> toFields(String prefix) {
    Map<String, String> f = new TreeMap<>();
    f.put(prefix + "role", role);
    for (int i = 0; i < command.size(); i++) {
      f.put(prefix + "command." + i, command.get(i));
    }
    env.forEach((k, v) -> f.put(prefix + "env." + k, v));
    f.put(prefix + "read_only_root", Boolean.toString(readOnlyRoot));
    for (int i = 0; i < writable.size(); i++) {
      f.put(prefix + "writable." + i, writable.get(i));
    }
    f.put(prefix + "memory", Long.toString(memoryBytes));
    f.put(prefix + "cpus", Double.toString(cpus));
    // No launch fields when there are none: releases minted before launch was pinned keep their fingerprint.
    launch.forEach((k, v) -> f.put(prefix + "launch." + k, v));
    health.ifPresent(h -> {
      switch (h.check()) {
        case Health.Http http -> {
          f.put(prefix + "health.http.path", http.path());
          f.put(prefix + "health.http.status", Integer.toString(http.expectStatus()));
        }
        case Health.Tcp tcp -> f.put(prefix + "health.tcp", "true");
        case Health.Command c -> {
          for (int i = 0; i < c.command().size(); i++) {
            f.put(prefix + "health.command." + i, c.command().get(i));
          }
        }
      }
      f.put(prefix + "health.interval", Durations.format(h.interval()));
      f.put(prefix + "health.timeout", Durations.format(h.timeout()));
      f.put(prefix + "health.start_grace", Durations.format(h.startGrace()));
      f.put(prefix + "health.failure_threshold", Integer.toString(h.failureThreshold()));
    });
    return f;
  }

  static RoleRuntime fromFields(String prefix, Map<String, String> f) {
    Optional<Health> health = Optional.empty();
    if (f.containsKey(prefix + "health.interval")) {
      Health.Check check;
      if (f.containsKey(prefix + "health.http.path")) {
        check = new Health.Http(f.get(prefix + "health.http.path"), Integer.parseInt(f.get(prefix + "health.http.status")));
      } else if (f.containsKey(prefix + "health.tcp")) {
        check = new Health.Tcp();
      } else {
        check = new Health.Command(list(prefix + "health.command.", f));
      }
      health = Optional.of(new Health(check, dur(f.get(prefix + "health.interval")), dur(f.get(prefix + "health.timeout")),
          dur(f.get(prefix + "health.start_grace")), Integer.parseInt(f.get(prefix + "health.failure_threshold")),
          Location.UNKNOWN));
    }
    Map<String, String> env = byPrefix(prefix + "env.", f);
    return new RoleRuntime(f.get(prefix + "role"), list(prefix + "command.", f), env,
        Boolean.parseBoolean(f.get(prefix + "read_only_root")), list(prefix + "writable.", f), health,
        Long.parseLong(f.get(prefix + "memory")), Double.parseDouble(f.get(prefix + "cpus")), byPrefix(prefix + "launch.", f));
  }

  private static Map<String, String> byPrefix(String prefix, Map<String, String> f) {
    Map<String, String> out = new TreeMap<>();
    f.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        out.put(k.substring(prefix.length()), v);
      }
    });
    return out;
  }

  private static Duration dur(String s) {
    return Durations.parse(s);
  }

  private static List<String> list(String prefix, Map<String, String> f) {
    List<String> out = new ArrayList<>();
    for (int i = 0; f.containsKey(prefix + i); i++) {
      out.add(f.get(prefix + i));
    }
    return out;
  }
}
