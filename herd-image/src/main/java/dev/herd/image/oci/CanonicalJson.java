package dev.herd.image.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON with sorted keys and no insignificant whitespace, so the same values always give the same
 * bytes (and so the same digest) on any machine. Values are maps, lists, strings, numbers and
 * booleans; null map values are dropped.
 */
public final class CanonicalJson {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
          .configure(SerializationFeature.INDENT_OUTPUT, false);

  private CanonicalJson() {}

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(sorted(value));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Parses JSON, naming {@code what} (e.g. "manifest sha256:...") in the error. */
  public static JsonNode read(byte[] bytes, String what) {
    try {
      JsonNode node = MAPPER.readTree(bytes);
      if (node == null || node.isMissingNode()) {
        throw new ImageException(what + " is empty, expected JSON");
      }
      return node;
    } catch (IOException e) {
      throw new ImageException(what + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  private static Object sorted(Object value) {
    if (value instanceof Map<?, ?> m) {
      TreeMap<String, Object> out = new TreeMap<>();
      m.forEach((k, v) -> {
        if (v != null) {
          out.put(String.valueOf(k), sorted(v));
        }
      });
      return out;
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(v -> out.add(sorted(v)));
      return out;
    }
    if (value instanceof ObjectNode o) {
      TreeMap<String, Object> out = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(e.getKey(), sorted(e.getValue()));
      }
      return out;
    }
    return value;
  }

  /** Text of a string field, or null when absent or JSON null. */
  static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  static List<String> strings(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    List<String> out = new ArrayList<>();
    if (v != null && v.isArray()) {
      v.forEach(e -> out.add(e.asText()));
    }
    return out;
  }

  static Map<String, String> stringMap(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    Map<String, String> out = new TreeMap<>();
    if (v != null && v.isObject()) {
      v.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    }
    return out;
  }
}
