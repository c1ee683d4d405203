package dev.herd.server.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herd.server.api.Api;
import dev.herd.server.api.ApiFiles;
import dev.herd.server.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A client of a running controller's API, found through {@code api.json} and {@code api-token}
 * in the state directory. Failures are typed: {@link NoController} when none runs,
 * {@link ApiFailure} when the server refused a request (with its reason).
 */
public final class ApiClient {
  private final URI base;
  private final String token;
  private final HttpClient http;
  private final ObjectMapper json = Json.mapper();
  private final Duration timeout;

  public ApiClient(URI base, String token, Duration timeout) {
    this.base = base;
    this.token = token;
    this.timeout = timeout;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if ("http".equalsIgnoreCase(base.getScheme())) {
      // The controller's API is plain HTTP on loopback: skip the default TLS context (loading
      // the JDK's CA store and key factories is a tenth of a CLI command's start-up) and the
      // HTTP/2 upgrade attempt.
      builder.sslContext(NO_TLS.get()).version(HttpClient.Version.HTTP_1_1);
    }
    this.http = builder.build();
  }

  /** A TLS context with no keys and no trust: never used, since the base URL is http. */
  private static final java.util.function.Supplier<javax.net.ssl.SSLContext> NO_TLS = () -> {
    try {
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(new javax.net.ssl.KeyManager[0], new javax.net.ssl.TrustManager[0], null);
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no TLS", e);
    }
  };

  /** The HTTP client (tests: which TLS context it carries). */
  HttpClient httpClient() {
    return http;
  }

  /**
   * The controller serving {@code stateDir}. Throws {@link NoController} when no api.json is
   * there, or when it names a process that is gone (a stale file from a controller that died).
   */
  public static ApiClient forStateDir(Path stateDir, Duration timeout) {
    Optional<ApiFiles.Info> info;
    try {
      info = ApiFiles.readInfo(stateDir);
    } catch (IllegalStateException garbled) {
      throw new NoController(garbled.getMessage());
    }
    if (info.isEmpty()) {
      throw new NoController(null);
    }
    if (!info.get().alive()) {
      throw new NoController("found a stale " + ApiFiles.info(stateDir) + ": its controller (pid " + info.get().pid()
          + ") is no longer running");
    }
    String token;
    try {
      token = ApiFiles.readToken(stateDir);
    } catch (UncheckedIOException e) {
      throw new NoController(e.getMessage() + ": " + e.getCause().getMessage());
    }
    return new ApiClient(URI.create(info.get().url()), token, timeout);
  }

  public URI base() {
    return base;
  }

  public <T> T get(String pathAndQuery, Class<T> type) {
    return send(request(pathAndQuery).GET().build(), type);
  }

  public <T> T post(String path, Object body, Class<T> type) {
    byte[] bytes;
    try {
      bytes = body == null ? new byte[0] : json.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode the request body", e);
    }
    return send(request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), type);
  }

  /** PUT with a raw body (a secret value: never JSON-encoded, never in the URL). */
  public <T> T put(String path, byte[] body, Map<String, String> headers, Class<T> type) {
    HttpRequest.Builder b = request(path).header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return send(b.build(), type);
  }

  /** PUT with a JSON body. */
  public <T> T putJson(String path, Object body, Class<T> type) {
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode the request body", e);
    }
    return send(request(path).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
        .build(), type);
  }

  public <T> T delete(String path, Class<T> type) {
    return send(request(path).DELETE().build(), type);
  }

  /**
   * Follows a server-sent event stream, handing each event's data to {@code onEvent} until it
   * returns false, the server closes the stream, or the thread is interrupted.
   */
  public void stream(String pathAndQuery, Predicate<Sse> onEvent) {
    HttpRequest req = HttpRequest.newBuilder(base.resolve(pathAndQuery))
        .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").GET().build();
    HttpResponse<Stream<String>> resp;
    try {
      resp = http.send(req, HttpResponse.BodyHandlers.ofLines());
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (resp.statusCode() != 200) {
      String body = String.join("\n", resp.body().limit(200).toList());
      throw failure(resp.statusCode(), body.getBytes(StandardCharsets.UTF_8));
    }
    try (Stream<String> lines = resp.body()) {
      SseParser parser = new SseParser();
      var it = lines.iterator();
      while (it.hasNext() && !Thread.currentThread().isInterrupted()) {
        Optional<Sse> event = parser.line(it.next());
        if (event.isPresent() && !onEvent.test(event.get())) {
          return;
        }
      }
    } catch (UncheckedIOException e) {
      if (!Thread.currentThread().isInterrupted()) {
        throw unreachable(e.getCause());
      }
    }
  }

  /** Decodes an event's JSON data. */
  public <T> T decode(Sse event, Class<T> type) {
    try {
      return json.readValue(event.data(), type);
    } catch (JsonProcessingException e) {
      throw new ApiFailure(0, "the server sent an event herd cannot read: " + e.getOriginalMessage(), List.of());
    }
  }

  private HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(timeout)
        .header("Authorization", "Bearer " + token).header("Accept", "application/json");
  }

  private <T> T send(HttpRequest req, Class<T> type) {
    HttpResponse<InputStream> resp;
    byte[] body;
    try {
      resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = resp.body()) {
        body = in.readAllBytes();
      }
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiFailure(0, "interrupted while waiting for the controller", List.of());
    }
    if (resp.statusCode() / 100 != 2) {
      throw failure(resp.statusCode(), body);
    }
    try {
      return json.readValue(body, type);
    } catch (IOException e) {
      throw new ApiFailure(resp.statusCode(), "the controller answered " + req.uri().getPath()
          + " with a body herd cannot read (" + e.getMessage() + ")", List.of());
    }
  }

  private ApiFailure failure(int status, byte[] body) {
    try {
      Api.Error e = json.readValue(body, Api.Error.class);
      return new ApiFailure(status, e.error(), e.details());
    } catch (IOException | RuntimeException notJson) {
      String text = new String(body, StandardCharsets.UTF_8).strip();
      return new ApiFailure(status, "HTTP " + status + (text.isEmpty() ? "" : ": " + text.lines().findFirst().orElse("")),
          List.of());
    }
  }

  private RuntimeException unreachable(IOException e) {
    if (e instanceof ConnectException) {
      return new NoController("the controller at " + base + " does not answer (connection refused)");
    }
    return new ApiFailure(0, "talking to the controller at " + base + " failed: " + e, List.of());
  }

  /** One server-sent event. */
  public record Sse(String event, String id, String data) {}

  /** No controller runs for the state directory; {@code detail} says why (null: no api.json). */
  public static final class NoController extends RuntimeException {
    private final String detail;

    public NoController(String detail) {
      super(detail == null ? "no herd controller is running" : detail);
      this.detail = detail;
    }

    public Optional<String> detail() {
      return Optional.ofNullable(detail);
    }
  }

  /** The server refused a request: its HTTP status (0: no answer) and reason. */
  public static final class ApiFailure extends RuntimeException {
    private final int status;
    private final List<String> details;

    public ApiFailure(int status, String reason, List<String> details) {
      super(reason);
      this.status = status;
      this.details = List.copyOf(details);
    }

    public int status() {
      return status;
    }

    public List<String> details() {
      return details;
    }
  }
}
