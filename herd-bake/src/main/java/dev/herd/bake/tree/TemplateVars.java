package dev.herd.bake.tree;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a template sees: the role's {@code vars} plus build facts under their own namespaces
 * ({@code role.name}, {@code role.version}, {@code image.created}, ...). A var may not use a
 * fact namespace's name, so {@code {{ role.name }}} always means the fact.
 */
public record TemplateVars(Map<String, String> vars, Map<String, Object> facts) {
  public TemplateVars {
    vars = Map.copyOf(new TreeMap<>(vars));
    facts = Map.copyOf(facts);
  }

  /** Facts every bake provides; {@code created} is the build epoch (SOURCE_DATE_EPOCH), not now. */
  public static TemplateVars of(Map<String, String> roleVars, String roleName, String roleVersion, Instant created) {
    Map<String, Object> role = new LinkedHashMap<>();
    role.put("name", roleName);
    role.put("version", roleVersion);
    Map<String, Object> image = new LinkedHashMap<>();
    image.put("created", DateTimeFormatter.ISO_INSTANT.format(created));
    return new TemplateVars(roleVars, Map.of("role", role, "image", image));
  }

  /** Adds or replaces a fact namespace, e.g. {@code withFact("base", Map.of("digest", d))}. */
  public TemplateVars withFact(String namespace, Object value) {
    Map<String, Object> next = new LinkedHashMap<>(facts);
    next.put(namespace, value);
    return new TemplateVars(vars, next);
  }

  /** The template context; fails when a var shadows a fact namespace. */
  Map<String, Object> context(Origin origin) {
    Map<String, Object> ctx = new LinkedHashMap<>(vars);
    for (Map.Entry<String, Object> f : facts.entrySet()) {
      if (ctx.containsKey(f.getKey())) {
        throw new TreeException(origin, "role var \"" + f.getKey() + "\" has the name of a build fact namespace; rename the var");
      }
      ctx.put(f.getKey(), f.getValue());
    }
    return ctx;
  }
}
