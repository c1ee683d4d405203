package dev.herd.engine.docker;

import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** Asks an endpoint for {@code GET /_ping}; answers why it failed, or empty when it is up. */
@FunctionalInterface
public interface Ping {
  Optional<String> failure(Endpoint endpoint);

  Ping HTTP = endpoint -> {
    DockerHttpClient client = new ApacheDockerHttpClient.Builder()
        .dockerHost(endpoint.uri())
        .connectionTimeout(Duration.ofSeconds(2))
        .responseTimeout(Duration.ofSeconds(5))
        .build();
    try (client;
        DockerHttpClient.Response r = client.execute(DockerHttpClient.Request.builder()
            .method(DockerHttpClient.Request.Method.GET).path("/_ping").build())) {
      String body = new String(r.getBody().readAllBytes(), StandardCharsets.UTF_8).trim();
      return r.getStatusCode() == 200
          ? Optional.empty()
          : Optional.of("ping answered " + r.getStatusCode() + " " + body);
    } catch (IOException | RuntimeException e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      return Optional.of("ping failed: " + root);
    }
  };
}
