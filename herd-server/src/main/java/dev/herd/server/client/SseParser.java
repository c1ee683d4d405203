package dev.herd.server.client;

import java.util.Optional;

/** The text/event-stream format, line by line: fields until a blank line, comments ignored. */
final class SseParser {
  private String event = "message";
  private String id = "";
  private final StringBuilder data = new StringBuilder();
  private boolean any;

  Optional<ApiClient.Sse> line(String line) {
    if (line.isEmpty()) {
      if (!any) {
        return Optional.empty();
      }
      ApiClient.Sse e = new ApiClient.Sse(event, id, data.toString());
      event = "message";
      data.setLength(0);
      any = false;
      return Optional.of(e);
    }
    if (line.startsWith(":")) {
      return Optional.empty();
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "event" -> event = value;
      case "id" -> id = value;
      case "data" -> {
        if (any && !data.isEmpty()) {
          data.append('\n');
        }
        data.append(value);
      }
      default -> {
        return Optional.empty();
      }
    }
    any = true;
    return Optional.empty();
  }
}
