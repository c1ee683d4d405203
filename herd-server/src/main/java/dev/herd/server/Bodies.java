package dev.herd.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.herd.server.api.Json;
import io.javalin.http.Context;
import java.util.Collection;
import java.util.Map;

/**
 * Reads JSON request bodies under the API's one typing rule (docs/api.md, "JSON bodies"): a
 * field's JSON type must be the documented one, nothing is coerced ({@code "3"} is not a
 * count, {@code 1} is not a config value). A refusal names the field and both types.
 */
final class Bodies {
  private static final ObjectMapper JSON = Json.requests();

  private Bodies() {}

  static <T> T read(Context ctx, Class<T> type, String example) {
    return parse(ctx.body(), type, example);
  }

  static <T> T parse(String text, Class<T> type, String example) {
    if (text.isBlank()) {
      throw ApiError.badRequest("request body is empty: send JSON like " + example);
    }
    JsonNode tree;
    try {
      tree = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      // Jackson's own message names Java types; say where and what is expected instead.
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + " column "
          + e.getLocation().getColumnNr();
      throw ApiError.badRequest("request body is not valid JSON" + where + ": send JSON like " + example);
    }
    if (tree == null || !tree.isObject()) {
      throw ApiError.badRequest("request body: expected a JSON object, got " + describe(tree) + ": send JSON like " + example);
    }
    try {
      return JSON.treeToValue(tree, type);
    } catch (MismatchedInputException e) {
      String field = path(e);
      throw ApiError.badRequest(field + ": expected " + expected(e.getTargetType()) + ", got "
          + describe(at(tree, e)) + ": send JSON like " + example);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw ApiError.badRequest("request body is not valid: send JSON like " + example);
    }
  }

  /** The JSON path of the refused value, e.g. {@code set.GREETING} or {@code variants[0].weight}. */
  private static String path(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        b.append(b.isEmpty() ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.isEmpty() ? "request body" : b.toString();
  }

  private static JsonNode at(JsonNode tree, JsonMappingException e) {
    JsonNode n = tree;
    for (JsonMappingException.Reference r : e.getPath()) {
      if (n == null) {
        return null;
      }
      n = r.getFieldName() != null ? n.get(r.getFieldName()) : n.get(r.getIndex());
    }
    return n;
  }

  private static String expected(Class<?> t) {
    if (t == null) {
      return "another JSON type";
    }
    if (t == String.class) {
      return "a JSON string";
    }
    if (t == Integer.class || t == int.class || t == Long.class || t == long.class) {
      return "a whole JSON number";
    }
    if (t == Double.class || t == double.class) {
      return "a JSON number";
    }
    if (t == Boolean.class || t == boolean.class) {
      return "true or false";
    }
    if (Collection.class.isAssignableFrom(t)) {
      return "a JSON array";
    }
    return Map.class.isAssignableFrom(t) || t.isRecord() ? "a JSON object" : "another JSON type";
  }

  private static String describe(JsonNode n) {
    if (n == null || n.isMissingNode() || n.isNull()) {
      return "null";
    }
    if (n.isTextual()) {
      return "a string " + Params.quote(n.asText());
    }
    if (n.isIntegralNumber()) {
      return "the number " + n.asText();
    }
    if (n.isNumber()) {
      return "the number " + n.asText();
    }
    if (n.isBoolean()) {
      return n.asText();
    }
    return n.isArray() ? "an array" : "an object";
  }
}
