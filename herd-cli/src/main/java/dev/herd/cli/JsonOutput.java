package dev.herd.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.herd.server.api.Json;
import java.io.PrintWriter;

/**
 * {@code --json} of the commands that print a table or a list: the same rows as JSON for scripts,
 * with the API's mapping (snake_case keys, ISO-8601 times). Plain text either way: herd prints
 * no colour of its own, and picocli's help is plain when NO_COLOR is set or stdout is no terminal.
 */
final class JsonOutput {
  static final String DESCRIPTION = "Print JSON for scripts instead of the table (same fields, snake_case keys).";

  private JsonOutput() {}

  /** One pretty-printed document. */
  static void print(PrintWriter out, Object value) {
    out.println(write(Json.mapper().writerWithDefaultPrettyPrinter(), value));
  }

  /** One document on one line (a JSON Lines record: events, which can be followed). */
  static String line(Object value) {
    return write(Json.mapper().writer(), value);
  }

  private static String write(ObjectWriter writer, Object value) {
    try {
      return writer.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON for " + value.getClass().getSimpleName(), e);
    }
  }
}
