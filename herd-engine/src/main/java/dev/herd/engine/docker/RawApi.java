package dev.herd.engine.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.transport.DockerHttpClient;
import dev.herd.engine.EngineFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The few calls made over the plain HTTP client (load, tag, stats, version): full control of the body. */
final class RawApi {
  static final ObjectMapper JSON = new ObjectMapper();

  private final DockerHttpClient http;

  RawApi(DockerHttpClient http) {
    this.http = http;
  }

  record Reply(int status, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new EngineFailure("engine sent invalid JSON: " + abbreviate(body), status, e);
      }
    }
  }

  Reply get(String path) {
    return send(DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.GET).path(path).build());
  }

  Reply post(String path, InputStream body, String contentType) {
    DockerHttpClient.Request.Builder b = DockerHttpClient.Request.builder()
        .method(DockerHttpClient.Request.Method.POST).path(path);
    if (body != null) {
      b.body(body).putHeader("Content-Type", contentType);
    }
    return send(b.build());
  }

  private Reply send(DockerHttpClient.Request request) {
    try (DockerHttpClient.Response r = http.execute(request)) {
      return new Reply(r.getStatusCode(), new String(r.getBody().readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String abbreviate(String s) {
    String t = s.strip();
    return t.length() > 300 ? t.substring(0, 300) + "..." : t;
  }
}
