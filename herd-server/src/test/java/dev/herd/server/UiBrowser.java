package dev.herd.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A logged-in dashboard browser over plain HTTP: asks the API for a login URL (bearer token),
 * follows it once, keeps the session cookie and reads the CSRF token from a page.
 */
final class UiBrowser {
  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
  final URI base;
  final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  String cookie;
  String csrf;

  UiBrowser(URI base) {
    this.base = base;
  }

  /** POST /v1/ui/login with the token, then the URL it gave; returns the login URL. */
  String logIn(Path stateDir) {
    String token = read(stateDir.resolve("api-token"));
    HttpResponse<String> minted = send(HttpRequest.newBuilder(base.resolve("/v1/ui/login"))
        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build());
    if (minted.statusCode() != 200) {
      throw new AssertionError("login code refused: " + minted.statusCode() + " " + minted.body());
    }
    Matcher m = Pattern.compile("\"url\"\\s*:\\s*\"([^\"]+)\"").matcher(minted.body());
    if (!m.find()) {
      throw new AssertionError("no url in " + minted.body());
    }
    String url = m.group(1);
    HttpResponse<String> exchanged = send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    if (exchanged.statusCode() != 303) {
      throw new AssertionError("login URL answered " + exchanged.statusCode() + ": " + exchanged.body());
    }
    String setCookie = exchanged.headers().firstValue("Set-Cookie").orElseThrow();
    cookie = setCookie.substring(0, setCookie.indexOf(';'));
    HttpResponse<String> page = get("/ui/");
    Matcher c = CSRF.matcher(page.body());
    if (!c.find()) {
      throw new AssertionError("no CSRF token on " + page.body());
    }
    csrf = c.group(1);
    return url;
  }

  HttpResponse<String> get(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).GET();
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return send(b.build());
  }

  /** A form POST as the page's button sends it, with {@code csrfValue} (null: none). */
  HttpResponse<String> post(String path, String csrfValue) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(csrfValue == null ? "do=x" : "csrf=" + csrfValue));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return send(b.build());
  }

  HttpResponse<String> send(HttpRequest req) {
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
