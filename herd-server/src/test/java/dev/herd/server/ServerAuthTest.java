package dev.herd.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herd.server.api.ApiFiles;
import dev.herd.server.api.Json;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerAuthTest {
  @TempDir Path dir;
  ServerFixture f;

  @BeforeEach
  void start() {
    f = new ServerFixture(dir);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void requestsWithoutTheTokenAreRefusedWithAReason() throws IOException {
    HttpResponse<String> none = f.send(HttpRequest.newBuilder(f.url("/v1/status")).GET().build());
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(error(none)).contains("missing bearer token").contains("api-token");

    HttpResponse<String> wrong = f.send(HttpRequest.newBuilder(f.url("/v1/status"))
        .header("Authorization", "Bearer " + "x".repeat(43)).GET().build());
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(error(wrong)).contains("wrong bearer token");

    HttpResponse<String> basic = f.send(HttpRequest.newBuilder(f.url("/v1/status"))
        .header("Authorization", "Basic " + f.token()).GET().build());
    assertThat(basic.statusCode()).isEqualTo(401);

    HttpResponse<String> mutation = f.send(HttpRequest.newBuilder(f.url("/v1/fleets/web/scale"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"count\": 9}")).build());
    assertThat(mutation.statusCode()).isEqualTo(401);
    assertThat(f.downs.get()).isZero();
    assertThat(f.get("/v1/status").statusCode()).isEqualTo(200);
  }

  @Test
  void healthzNeedsNoToken() {
    HttpResponse<String> r = f.send(HttpRequest.newBuilder(f.url("/healthz")).GET().build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("ok");
  }

  @Test
  void tokenFileIsPrivateAndNewEachRun() throws IOException {
    Path token = dir.resolve(".herd/api-token");
    assertThat(Files.getPosixFilePermissions(token))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(f.token()).hasSizeGreaterThanOrEqualTo(43).matches("[A-Za-z0-9_-]+");
    String first = f.token();
    f.close();
    f = new ServerFixture(dir.resolve("other"));
    assertThat(f.token()).isNotEqualTo(first);
    try (var leftovers = Files.list(dir.resolve(".herd"))) {
      assertThat(leftovers.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void apiJsonNamesTheServerAndIsRemovedOnStop() throws IOException {
    ApiFiles.Info info = ApiFiles.readInfo(f.stateDir).orElseThrow();
    assertThat(info.url()).isEqualTo("http://127.0.0.1:" + f.server.port());
    assertThat(info.pid()).isEqualTo(ProcessHandle.current().pid());
    assertThat(info.project()).isEqualTo("shop");
    assertThat(info.alive()).isTrue();
    f.close();
    assertThat(dir.resolve(".herd/api.json")).doesNotExist();
    assertThat(dir.resolve(".herd/api-token")).exists();
  }

  @Test
  void bindsLoopbackOnly() {
    assertThat(f.server.url().getHost()).isEqualTo("127.0.0.1");
    // The server answers on loopback; no other interface is bound (Jetty's connector host).
    assertThat(f.send(HttpRequest.newBuilder(f.url("/healthz")).GET().build()).statusCode()).isEqualTo(200);
  }

  @Test
  void aStaleApiJsonIsReplacedAndALiveOneRefused() {
    f.close();
    long dead = deadPid();
    ApiFiles.writeInfo(f.stateDir, new ApiFiles.Info("http://127.0.0.1:1", dead, "shop", Instant.EPOCH));
    f = new ServerFixture(dir);
    assertThat(ApiFiles.readInfo(f.stateDir).orElseThrow().pid()).isEqualTo(ProcessHandle.current().pid());
    f.close();

    long live = ProcessHandle.current().parent().orElseThrow().pid();
    ApiFiles.writeInfo(f.stateDir, new ApiFiles.Info("http://127.0.0.1:1", live, "shop", Instant.EPOCH));
    assertThatThrownBy(() -> new ServerFixture(dir))
        .hasMessageContaining("already serves").hasMessageContaining("pid " + live);
    f = new ServerFixture(dir.resolve("again"));
  }

  static long deadPid() {
    try {
      Process p = new ProcessBuilder("true").start();
      p.waitFor();
      return p.pid();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  static String error(HttpResponse<String> r) throws IOException {
    JsonNode body = Json.mapper().readTree(r.body());
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    return body.get("error").asText();
  }
}
