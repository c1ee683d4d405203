package dev.herd.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.herd.server.api.Api;
import dev.herd.server.api.Json;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's own errors (a malformed request line, a NUL in the path, a URI or headers too long,
 * anything refused before herd's routes run) in the API's JSON error shape instead of an HTML page.
 */
final class JsonErrors extends ErrorHandler {

  static String body(String reason) {
    try {
      return Json.mapper().writeValueAsString(new Api.Error(reason));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an error body", e);
    }
  }

  private static String reason(int status, String message) {
    String what = switch (status) {
      case 400 -> "bad request";
      case 404 -> "no such endpoint (see docs/api.md)";
      case 405 -> "method not allowed";
      case 413 -> "request too large";
      case 414 -> "request URI too long";
      case 431 -> "request headers too large";
      default -> "request failed with HTTP " + status;
    };
    // Jetty's messages are short fixed texts ("Ambiguous URI empty segment"); never a stack trace
    return message == null || message.isBlank() || message.startsWith("org.") || message.startsWith("java.")
        ? what : what + ": " + message;
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    return ByteBuffer.wrap(body(reason(status, reason)).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request, HttpServletResponse response,
      int code, String message) throws IOException {
    baseRequest.setHandled(true);
    response.setContentType("application/json");
    byte[] bytes = body(reason(code, message)).getBytes(StandardCharsets.UTF_8);
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }
}
