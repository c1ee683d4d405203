package dev.herd.config;

import dev.herd.spec.Role;
import dev.herd.template.Includes;
import dev.herd.template.Renderer;
import dev.herd.template.TemplateException;
import dev.herd.template.TemplateLimits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Evaluates a role's {@code launch:} map for one node with Jinja2 (Jinjava), over
 * {@code node.*} ({@link NodeFacts}) and {@code env.<config key>} (the effective config). E.g.
 * {@code HEAP_MB: "{{ node.memory_mb * 3 // 4 }}"} gives "96" on a 128 MiB node. The results
 * become env vars of the node, next to the config. An undefined variable is an error naming the
 * setting, never an empty string.
 */
public final class LaunchSettings {
  /** herd's bounded renderer; a launch value may not include files. */
  private final Renderer renderer = new Renderer(TemplateLimits.LAUNCH, Includes.NONE);

  /** The role's launch settings for this node, name → value; every failing setting is reported at once. */
  public Map<String, String> evaluate(Role role, NodeFacts node, Map<String, String> config) {
    return evaluate(role.name(), role.launch(), node, config);
  }

  /** Launch templates {@code launch} (name → template) of role {@code roleName} for this node. */
  public Map<String, String> evaluate(String roleName, Map<String, String> launch, NodeFacts node, Map<String, String> config) {
    Map<String, Object> context = new HashMap<>();
    context.put("node", new StrictMap("node", node.asMap()));
    context.put("env", new StrictMap("env", config));
    Map<String, String> out = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(launch).entrySet()) {
      String key = e.getKey();
      try {
        out.put(key, renderer.render("launch setting " + key, e.getValue(), context));
      } catch (TemplateException ex) {
        problems.add("launch setting " + key + ": " + describe(ex, node));
      } catch (RuntimeException ex) {
        problems.add("launch setting " + key + ": " + undefined(ex).map(u -> unknownToken("Unknown token found: " + u, node))
            .orElseGet(() -> unknownToken(ex.getMessage(), node)));
      }
    }
    if (!problems.isEmpty()) {
      throw ConfigException.invalid("role " + roleName + ", node " + node.name() + ": "
          + (problems.size() == 1 ? problems.get(0) : String.join("; ", problems)));
    }
    return out;
  }

  private static String describe(TemplateException ex, NodeFacts node) {
    java.util.Optional<String> u = undefined(ex);
    if (u.isPresent()) {
      return unknownToken("Unknown token found: " + u.get(), node);
    }
    String m = ex.detail() == null ? "" : ex.detail();
    int i = m.indexOf(Undefined.MARK);
    if (i >= 0) {
      String name = m.substring(i + Undefined.MARK.length()).split("[\\s'\",)]", 2)[0];
      return unknownToken("Unknown token found: " + name, node);
    }
    // Limits and refused includes: say where in the value (multi-line values exist).
    return ex.limit() || m.startsWith("cannot include") ? "line " + ex.line() + ": " + m : unknownToken(m, node);
  }

  private static java.util.Optional<String> undefined(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof Undefined u) {
        return java.util.Optional.of(u.name);
      }
    }
    return java.util.Optional.empty();
  }

  /** Thrown by {@link StrictMap}; Jinjava turns it into a template error carrying its message. */
  static final class Undefined extends RuntimeException {
    static final String MARK = "herd-undefined:";
    final String name;

    Undefined(String name) {
      super(MARK + name, null, false, false);
      this.name = name;
    }
  }

  /**
   * A variable map whose missing keys are errors. Jinjava only fails on unknown top-level tokens
   * printed directly; inside an expression ({@code node.memory_mb * 3}) a missing key would be
   * null and quietly become 0.
   */
  static final class StrictMap extends java.util.AbstractMap<String, Object> {
    private final String prefix;
    private final Map<String, Object> values;

    StrictMap(String prefix, Map<String, ?> values) {
      this.prefix = prefix;
      this.values = new TreeMap<>(values);
    }

    @Override
    public Object get(Object key) {
      Object v = values.get(key);
      if (v == null) {
        throw new Undefined(prefix + "." + key);
      }
      return v;
    }

    @Override
    public boolean containsKey(Object key) {
      return true;
    }

    @Override
    public java.util.Set<Entry<String, Object>> entrySet() {
      return values.entrySet();
    }
  }

  /** Jinjava says "UnknownTokenException: Unknown token found: node.memory_mb"; say what it means here. */
  private static String unknownToken(String message, NodeFacts node) {
    String m = message == null ? "cannot be evaluated" : message;
    int i = m.indexOf("Unknown token found:");
    if (i < 0) {
      return m;
    }
    String token = m.substring(i + "Unknown token found:".length()).strip();
    String hint = switch (token) {
      case "node.memory_mb" -> " (fleet " + node.fleet() + " has no memory limit)";
      case "node.cpus" -> " (fleet " + node.fleet() + " has no cpus limit)";
      default -> token.startsWith("env.") ? " (no config key " + token.substring(4) + " in this environment)"
          : " (known: node.name, node.index, node.port, node.fleet, node.memory_mb, node.cpus, env.<config key>)";
    };
    return token + " is undefined" + hint;
  }
}
