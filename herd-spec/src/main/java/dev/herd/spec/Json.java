package dev.herd.spec;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** A minimal JSON writer for the generated schema (herd-spec has no JSON library on purpose). */
final class Json {
  private Json() {}

  static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out, "");
    return out.append('\n').toString();
  }

  private static void write(Object v, StringBuilder out, String indent) {
    switch (v) {
      case null -> out.append("null");
      case String s -> string(s, out);
      case Number n -> out.append(n);
      case Boolean b -> out.append(b);
      case Map<?, ?> m -> {
        if (m.isEmpty()) {
          out.append("{}");
          return;
        }
        out.append("{\n");
        Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
        while (it.hasNext()) {
          Map.Entry<?, ?> e = it.next();
          out.append(indent).append("  ");
          string(String.valueOf(e.getKey()), out);
          out.append(": ");
          write(e.getValue(), out, indent + "  ");
          out.append(it.hasNext() ? ",\n" : "\n");
        }
        out.append(indent).append('}');
      }
      case List<?> l -> {
        if (l.stream().allMatch(x -> x instanceof String || x instanceof Number)) {
          out.append('[');
          for (int i = 0; i < l.size(); i++) {
            write(l.get(i), out, indent);
            out.append(i + 1 < l.size() ? ", " : "");
          }
          out.append(']');
          return;
        }
        out.append("[\n");
        for (int i = 0; i < l.size(); i++) {
          out.append(indent).append("  ");
          write(l.get(i), out, indent + "  ");
          out.append(i + 1 < l.size() ? ",\n" : "\n");
        }
        out.append(indent).append(']');
      }
      default -> throw new IllegalArgumentException("not JSON: " + v.getClass());
    }
  }

  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
