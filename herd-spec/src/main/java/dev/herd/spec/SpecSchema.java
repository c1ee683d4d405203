package dev.herd.spec;

import dev.herd.spec.Shape.Field;
import dev.herd.spec.Shape.ListOf;
import dev.herd.spec.Shape.MapOf;
import dev.herd.spec.Shape.Obj;
import dev.herd.spec.Shape.Scalar;
import dev.herd.spec.Shape.Variant;
import dev.herd.spec.Shape.Variants;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON Schema (draft 2020-12) of herd.yaml, generated from {@link SpecKeys}, the same table
 * the loader reads, for editors and other tools. The loader checks more than a schema can say
 * (references, files, cross-key rules); the schema never allows a key the loader refuses.
 */
public final class SpecSchema {
  public static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";

  private SpecSchema() {}

  /** The schema as pretty-printed JSON. */
  public static String json() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("$schema", DIALECT);
    root.put("title", "herd.yaml");
    root.put("description", "A herd project: roles baked into images, environments, and fleets of nodes.");
    root.putAll(schema(SpecKeys.ROOT));
    return Json.write(root);
  }

  /**
   * Every key path the table defines, e.g. {@code .roles.*.health.interval}; list items add
   * {@code []} and items of a list of kinds add {@code {kind}}.
   */
  static Set<String> keyPaths() {
    Set<String> out = new LinkedHashSet<>();
    collect(SpecKeys.ROOT, "", out);
    return out;
  }

  private static void collect(Shape shape, String path, Set<String> out) {
    switch (shape) {
      case Obj o -> o.fields().forEach(f -> {
        out.add(path + "." + f.name());
        collect(f.shape(), path + "." + f.name(), out);
      });
      case MapOf m -> collect(m.value(), path + ".*", out);
      case ListOf l -> collect(l.item(), path + "[]", out);
      case Variants vs -> vs.variants().forEach(v -> collect(v.asObj(), path + "{" + v.kind() + "}", out));
      case Scalar s -> {}
    }
  }

  private static Map<String, Object> schema(Shape shape) {
    Map<String, Object> s = new LinkedHashMap<>();
    switch (shape) {
      case Scalar sc -> s.putAll(scalar(sc));
      case ListOf l -> {
        s.put("type", "array");
        s.put("items", schema(l.item()));
        if (l.nonEmpty()) {
          s.put("minItems", 1);
        }
      }
      case MapOf m -> {
        s.put("type", "object");
        s.put("propertyNames", Map.of("pattern", anchored(m.keyPattern().pattern())));
        s.put("additionalProperties", schema(m.value()));
      }
      case Obj o -> s.putAll(object(o));
      case Variants vs -> {
        s.put("type", "object");
        List<Object> options = new ArrayList<>();
        for (Variant v : vs.variants()) {
          Map<String, Object> option = object(v.asObj());
          option.put("description", v.description());
          options.add(option);
        }
        s.put("oneOf", options);
      }
    }
    return s;
  }

  private static Map<String, Object> object(Obj o) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("type", o.fields().stream().noneMatch(Field::required) ? List.of("object", "null") : "object");
    Map<String, Object> props = new LinkedHashMap<>();
    List<String> required = new ArrayList<>();
    for (Field f : o.fields()) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("description", f.description());
      p.putAll(schema(f.shape()));
      if (f.defaultValue() != null) {
        p.put("default", f.defaultValue());
      }
      props.put(f.name(), p);
      if (f.required()) {
        required.add(f.name());
      }
    }
    s.put("properties", props);
    if (!required.isEmpty()) {
      s.put("required", required);
    }
    s.put("additionalProperties", false);
    if (!o.exactlyOne().isEmpty()) {
      s.put("oneOf", o.exactlyOne().stream().map(k -> (Object) Map.of("required", List.of(k))).toList());
    }
    return s;
  }

  private static Map<String, Object> scalar(Scalar sc) {
    Map<String, Object> s = new LinkedHashMap<>();
    switch (sc.kind()) {
      case STRING -> {
        s.put("type", "string");
        sc.pattern().ifPresent(p -> s.put("pattern", anchored(p.pattern())));
      }
      case TEXT -> s.put("type", List.of("string", "number", "boolean"));
      case ID -> {
        s.put("type", List.of("string", "integer"));
        s.put("minimum", 0);
        sc.pattern().ifPresent(p -> s.put("pattern", anchored(p.pattern())));
      }
      case INT -> {
        s.put("type", "integer");
        sc.min().ifPresent(m -> s.put("minimum", m));
        sc.max().ifPresent(m -> s.put("maximum", m));
      }
      case NUMBER -> s.put("type", "number");
      case BOOL -> s.put("type", "boolean");
      case DURATION -> {
        s.put("type", "string");
        s.put("pattern", "^(0|(?=\\d)(\\d+d)?(\\d+h)?(\\d+m(?!s))?(\\d+s)?(\\d+ms)?)$");
      }
      case SIZE -> {
        s.put("type", List.of("string", "integer"));
        s.put("minimum", 0);
        s.put("pattern", "^\\d+\\s*(Ki|Mi|Gi|Ti|k|K|M|G|T|B)?$");
      }
      case MODE -> {
        s.put("type", "string");
        s.put("pattern", "^[0-7]{3,5}$");
      }
      case ENUM -> s.put("enum", sc.choices());
      case PORT_RANGE -> {
        s.put("type", "string");
        s.put("pattern", "^\\d{1,5}\\s*-\\s*\\d{1,5}$");
      }
      case AMOUNT -> {
        s.put("type", List.of("integer", "string"));
        s.put("minimum", 0);
        s.put("pattern", "^(\\d{1,3}\\s*%|\\d{1,9})$");
      }
      case IMAGE_REF -> {
        s.put("type", "string");
        s.put("pattern", "^(latest|channel:" + Names.NAME.pattern() + "|version:[1-9]\\d{0,8}|sha256:[0-9a-f]{64})$");
      }
      case NAME_PATTERN -> {
        s.put("type", "string");
        s.put("pattern", "^[a-z0-9-]*\\{n\\}[a-z0-9-]*$");
      }
      case ABS_PATH -> {
        s.put("type", "string");
        s.put("pattern", "^/");
      }
      case REL_PATH -> {
        s.put("type", "string");
        s.put("pattern", "^[^/~]");
      }
      case LINK_TARGET -> {
        s.put("type", "string");
        s.put("minLength", 1);
      }
    }
    return s;
  }

  private static String anchored(String regex) {
    return "^(?:" + regex + ")$";
  }
}
