package dev.herd.spec;

import dev.herd.common.secrets.SecretRules;

import dev.herd.spec.Scalars.YamlType;
import dev.herd.spec.Shape.Field;
import dev.herd.spec.Shape.ListOf;
import dev.herd.spec.Shape.MapOf;
import dev.herd.spec.Shape.Obj;
import dev.herd.spec.Shape.Variant;
import dev.herd.spec.Shape.Variants;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Checks a composed YAML node tree against {@link SpecKeys} and builds the typed {@link Val}
 * tree: wrong types, unknown keys, missing keys, duplicate keys and bad scalar values all become
 * located errors, and checking goes on so every error is found in one pass.
 */
final class TreeBuilder {
  /** Values visited, aliases expanded; a document beyond this is an alias bomb, not a spec. */
  static final int MAX_VALUES = 100_000;

  private final Problems problems;
  private final Set<Node> open = Collections.newSetFromMap(new IdentityHashMap<>());
  private int visited;

  /** Stops the walk when the document is too large to be a spec. */
  static final class TooLarge extends RuntimeException {
    TooLarge() {
      super(null, null, false, false);
    }
  }

  TreeBuilder(Problems problems) {
    this.problems = problems;
  }

  Location loc(Node n) {
    return loc(n.getStartMark());
  }

  Location loc(Optional<Mark> mark) {
    return mark.map(m -> new Location(problems.file, m.getLine() + 1, m.getColumn() + 1)).orElse(Location.start(problems.file));
  }

  Fields root(Node node) {
    Val v = build(node, SpecKeys.ROOT, "", "", loc(node));
    if (v instanceof Fields f) {
      return f;
    }
    return Fields.empty(SpecKeys.ROOT, loc(node), "", problems);
  }

  /** The typed value, or null when the value had an error (already reported). */
  Val build(Node node, Shape shape, String path, String schemaPath, Location keyLoc) {
    if (++visited > MAX_VALUES) {
      problems.add(loc(node), path,
          "the document has more than " + MAX_VALUES + " values once aliases are expanded; refusing it (alias bomb?)");
      throw new TooLarge();
    }
    if (!open.add(node)) {
      problems.add(loc(node), path, "a value contains itself through an alias; herd.yaml refuses recursive aliases");
      return null;
    }
    try {
      if (shape instanceof Obj o && isNull(node)) {
        return new Fields(o, Map.of(), Map.of(), loc(node), keyLoc, path, schemaPath, problems);
      }
      return switch (shape) {
        case Shape.Scalar s -> scalar(node, s, path);
        case ListOf l -> list(node, l, path, schemaPath);
        case MapOf m -> map(node, m, path, schemaPath);
        case Obj o -> obj(node, o, path, schemaPath, keyLoc);
        case Variants v -> variant(node, v, path, schemaPath);
      };
    } finally {
      open.remove(node);
    }
  }

  private Val scalar(Node node, Shape.Scalar s, String path) {
    if (!(node instanceof ScalarNode sn)) {
      problems.add(loc(node), path, "expected " + s.what() + ", got " + got(node));
      return null;
    }
    Optional<YamlType> type = type(sn);
    if (type.isEmpty()) {
      problems.add(loc(node), path, "unsupported YAML tag " + sn.getTag().getValue() + "; herd.yaml uses plain values");
      return null;
    }
    try {
      return new Val.Scalar(Scalars.convert(s, type.get(), sn.getValue()), loc(node), path);
    } catch (Scalars.Bad e) {
      problems.add(loc(node), path, e.getMessage());
      return null;
    }
  }

  private Val list(Node node, ListOf l, String path, String schemaPath) {
    if (!(node instanceof SequenceNode seq)) {
      problems.add(loc(node), path, "expected " + l.what() + ", got " + got(node));
      return null;
    }
    if (l.nonEmpty() && seq.getValue().isEmpty()) {
      problems.add(loc(node), path, "expected " + l.what() + ", got an empty list");
      return null;
    }
    List<Val> items = new ArrayList<>();
    int i = 0;
    for (Node item : seq.getValue()) {
      Val v = build(item, l.item(), path + "[" + i + "]", schemaPath + "[]", loc(item));
      if (v != null) {
        items.add(v);
      }
      i++;
    }
    return new Val.Items(items, loc(node), path);
  }

  /** A key and value as written, with where the key is. */
  private record Entry(String key, Node keyNode, Node value, Location keyLoc) {}

  /** The entries of a mapping: keys must be strings and unique. */
  private Optional<Map<String, Entry>> entries(Node node, Shape shape, String path) {
    if (!(node instanceof MappingNode mapping)) {
      problems.add(loc(node), path, "expected " + shape.what() + ", got " + got(node));
      return Optional.empty();
    }
    Map<String, Entry> out = new LinkedHashMap<>();
    for (NodeTuple t : mapping.getValue()) {
      Node k = t.getKeyNode();
      Location kl = loc(k);
      if (!(k instanceof ScalarNode ks) || type(ks).orElse(null) == YamlType.NULL) {
        problems.add(kl, path, "keys must be plain names, got " + got(k));
        continue;
      }
      String key = ks.getValue();
      String keyPath = path.isEmpty() ? key : path + "." + key;
      Entry first = out.get(key);
      if (first != null) {
        problems.add(kl, keyPath, "duplicate key (first at line " + first.keyLoc().line() + ")");
        continue;
      }
      out.put(key, new Entry(key, k, t.getValueNode(), kl));
    }
    return Optional.of(out);
  }

  private Val map(Node node, MapOf m, String path, String schemaPath) {
    Optional<Map<String, Entry>> entries = entries(node, m, path);
    if (entries.isEmpty()) {
      return null;
    }
    Map<String, Val> values = new LinkedHashMap<>();
    Map<String, Location> keyLocs = new LinkedHashMap<>();
    for (Entry e : entries.get().values()) {
      String keyPath = join(path, e.key());
      keyLocs.put(e.key(), e.keyLoc());
      if (!m.keyPattern().matcher(e.key()).matches()) {
        problems.add(e.keyLoc(), keyPath, "a name here must be " + m.keyRule() + ", got " + Texts.quote(e.key()));
        continue;
      }
      if (m.secretRefusal().isPresent() && SecretRules.secretWordInName(e.key()).isPresent()) {
        problems.add(e.keyLoc(), keyPath, "looks like a secret; " + m.secretRefusal().get());
        continue;
      }
      Val v = build(e.value(), m.value(), keyPath, schemaPath + ".*", e.keyLoc());
      if (v instanceof Val.Scalar sc && sc.value() instanceof String text && m.secretRefusal().isPresent()) {
        // The value itself, by the rules of the bake's secret scan (one set of rules, herd-common).
        Optional<SecretRules.Hit> hit = SecretRules.credentialIn(e.key(), text);
        if (hit.isPresent()) {
          problems.add(sc.loc(), keyPath, "the value looks like a credential (" + hit.get().rule() + ": " + hit.get().excerpt()
              + "); " + m.secretRefusal().get());
          continue;
        }
      }
      if (v != null) {
        values.put(e.key(), v);
      }
    }
    return new Val.Entries(values, keyLocs, loc(node), path);
  }

  private Val obj(Node node, Obj o, String path, String schemaPath, Location keyLoc) {
    Optional<Map<String, Entry>> entries = entries(node, o, path);
    if (entries.isEmpty()) {
      return null;
    }
    return fields(node, o, entries.get(), path, schemaPath, keyLoc, List.of());
  }

  private Fields fields(
      Node node, Obj o, Map<String, Entry> entries, String path, String schemaPath, Location keyLoc, List<String> otherKeys) {
    Map<String, Val> values = new LinkedHashMap<>();
    Map<String, Location> keyLocs = new LinkedHashMap<>();
    for (Entry e : entries.values()) {
      String keyPath = join(path, e.key());
      Optional<Field> f = o.field(e.key());
      if (f.isEmpty()) {
        problems.add(e.keyLoc(), keyPath, RegistryReader.literalSecret(path, e.key())
            .orElseGet(() -> unknownKey(e.key(), o.names(), otherKeys, otherKeys.isEmpty() ? "" : o.names().get(0))));
        continue;
      }
      keyLocs.put(e.key(), e.keyLoc());
      Val v = build(e.value(), f.get().shape(), keyPath, schemaPath + "." + e.key(), e.keyLoc());
      if (v != null) {
        values.put(e.key(), v);
      }
    }
    for (Field f : o.fields()) {
      if (f.required() && !entries.containsKey(f.name())) {
        problems.add(keyLoc, path, "missing required key \"" + f.name() + "\"");
      }
    }
    if (!o.exactlyOne().isEmpty()) {
      List<String> given = o.exactlyOne().stream().filter(entries::containsKey).toList();
      if (given.isEmpty()) {
        problems.add(keyLoc, path, "needs exactly one of " + Texts.orList(o.exactlyOne()));
      } else if (given.size() > 1) {
        problems.add(entries.get(given.get(1)).keyLoc(), path,
            "has both " + given.get(0) + " and " + given.get(1) + "; give exactly one of " + Texts.orList(o.exactlyOne()));
      }
    }
    return new Fields(o, values, keyLocs, loc(node), keyLoc, path, schemaPath, problems);
  }

  private Val variant(Node node, Variants vs, String path, String schemaPath) {
    Optional<Map<String, Entry>> entries = entries(node, vs, path);
    if (entries.isEmpty()) {
      return null;
    }
    // Written kind keys in document order. "group" is a kind and also a key of user, file ...
    // items, so the kind is the one whose keys explain all the others; failing that, the first.
    List<String> kinds = entries.get().keySet().stream().filter(vs.kinds()::contains).toList();
    if (kinds.isEmpty()) {
      String first = entries.get().keySet().stream().findFirst().orElse("");
      Optional<String> near = first.isEmpty() ? Optional.empty() : Texts.closest(first, vs.kinds());
      problems.add(loc(node), path, "needs one of the keys " + Texts.orList(vs.kinds())
          + near.map(n -> " (did you mean \"" + n + "\" instead of \"" + first + "\"?)").orElse(""));
      return null;
    }
    List<String> fitting = kinds.stream()
        .filter(k -> vs.variant(k).orElseThrow().asObj().names().containsAll(entries.get().keySet()))
        .toList();
    String kind = fitting.size() == 1 ? fitting.get(0) : kinds.get(0);
    Variant v = vs.variant(kind).orElseThrow();
    List<String> others = vs.kinds().stream().filter(k -> !k.equals(v.kind())).toList();
    return fields(node, v.asObj(), entries.get(), path, schemaPath + "{" + v.kind() + "}", loc(node), others);
  }

  private static String unknownKey(String key, List<String> known, List<String> otherKinds, String kind) {
    if (otherKinds.contains(key)) {
      return "this item is already a " + kind + "; give the " + key + " an item of its own";
    }
    Optional<String> near = Texts.closest(key, known);
    if (near.isPresent()) {
      return "unknown key (did you mean \"" + near.get() + "\"?)";
    }
    return "unknown key (expected one of " + Texts.orList(known) + ")";
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  static boolean isNull(Node n) {
    return n instanceof ScalarNode s && type(s).orElse(null) == YamlType.NULL;
  }

  static Optional<YamlType> type(ScalarNode s) {
    Tag t = s.getTag();
    if (t.equals(Tag.STR)) {
      return Optional.of(YamlType.STR);
    }
    if (t.equals(Tag.INT)) {
      return Optional.of(YamlType.INT);
    }
    if (t.equals(Tag.FLOAT)) {
      return Optional.of(YamlType.FLOAT);
    }
    if (t.equals(Tag.BOOL)) {
      return Optional.of(YamlType.BOOL);
    }
    if (t.equals(Tag.NULL)) {
      return Optional.of(YamlType.NULL);
    }
    return Optional.empty();
  }

  static String got(Node n) {
    return switch (n) {
      case MappingNode m -> "a map";
      case SequenceNode s -> "a list";
      case ScalarNode s -> Scalars.got(type(s).orElse(YamlType.STR), s.getValue());
      default -> "an unsupported value";
    };
  }
}
