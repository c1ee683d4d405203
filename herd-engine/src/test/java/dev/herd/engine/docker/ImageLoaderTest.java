package dev.herd.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.transport.DockerHttpClient;
import dev.herd.engine.EngineFailure;
import dev.herd.engine.EngineInfo;
import dev.herd.engine.EnsuredImage;
import dev.herd.engine.ImageSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What herd sends to each engine and what it accepts back, over a scripted engine API. */
class ImageLoaderTest {
  static final String DIGEST = "sha256:" + "ab".repeat(32);
  static final String CONFIG = "sha256:" + "cd".repeat(32);
  static final String REF = EnsuredImage.refFor(DIGEST);

  /** An engine whose tag names image {@code id} (none: null); a load makes it {@code idAfterLoad}. */
  static final class ScriptedEngine implements DockerHttpClient {
    final List<String> calls = new ArrayList<>();
    final String idAfterLoad;
    String id;
    String loadedBody;

    ScriptedEngine(String idAfterLoad) {
      this.idAfterLoad = idAfterLoad;
    }

    @Override
    public Response execute(Request r) {
      calls.add(r.method() + " " + r.path());
      if (r.path().equals("/images/" + REF + "/json")) {
        return id == null ? reply(404, "{\"message\":\"no such image\"}") : reply(200, "{\"Id\":\"" + id + "\"}");
      }
      if (r.path().startsWith("/images/load")) {
        try (InputStream in = r.body()) {
          loadedBody = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          id = idAfterLoad;
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        return reply(200, "{\"stream\":\"Loaded image: " + REF + "\\n\"}\n");
      }
      if (r.path().startsWith("/images/" + REF + "/tag")) {
        return reply(201, "");
      }
      return reply(500, "unexpected call " + r.path());
    }

    @Override
    public void close() {}

    static Response reply(int status, String body) {
      return new Response() {
        public int getStatusCode() { return status; }
        public Map<String, List<String>> getHeaders() { return Map.of(); }
        public InputStream getBody() { return new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)); }
        public void close() {}
      };
    }
  }

  static ImageSource bothFormats() {
    return new ImageSource(DIGEST, CONFIG, Map.of(
        ImageSource.Format.OCI_ARCHIVE, out -> out.write("oci".getBytes(StandardCharsets.UTF_8)),
        ImageSource.Format.DOCKER_ARCHIVE, out -> out.write("docker".getBytes(StandardCharsets.UTF_8))));
  }

  static ImageLoader loader(ScriptedEngine engine, String product, String api) {
    return new ImageLoader(new RawApi(engine), () -> new EngineInfo("test", product, "x", api, "runc", "cgroupfs"));
  }

  @Test
  void docker20GetsTheDockerArchiveAndPodmanTheOciArchive() {
    ScriptedEngine docker = new ScriptedEngine(CONFIG);
    assertThat(loader(docker, "Docker Engine", "1.41").ensure(bothFormats()).transferred()).isTrue();
    assertThat(docker.loadedBody).isEqualTo("docker");

    ScriptedEngine podman = new ScriptedEngine(CONFIG);
    loader(podman, "Podman Engine", "1.41").ensure(bothFormats());
    assertThat(podman.loadedBody).isEqualTo("oci");
  }

  @Test
  void anImageOfferedOnlyAsOciIsRefusedByDocker20BeforeAnythingIsSent() {
    ScriptedEngine docker = new ScriptedEngine(CONFIG);
    ImageSource oci = new ImageSource(DIGEST, CONFIG, Map.of(ImageSource.Format.OCI_ARCHIVE, out -> out.write(1)));
    assertThatThrownBy(() -> loader(docker, "Docker Engine", "1.41").ensure(oci))
        .isInstanceOf(EngineFailure.class)
        .hasMessage("Docker Engine x (API 1.41) loads only [DOCKER_ARCHIVE]; image abababababab is offered as [OCI_ARCHIVE]");
    assertThat(docker.calls).noneMatch(c -> c.contains("/images/load"));
  }

  @Test
  void anEngineThatRewritesTheImageIsAFailureNotHerdsImage() {
    ScriptedEngine rewriting = new ScriptedEngine("sha256:" + "ee".repeat(32));
    assertThatThrownBy(() -> loader(rewriting, "Docker Engine", "1.41").ensure(bothFormats()))
        .isInstanceOf(EngineFailure.class)
        .hasMessageContaining("as sha256:eeee").hasMessageContaining("not as herd's config " + CONFIG);
  }

  @Test
  void aTagThatNamesAnotherImageIsLoadedAgain() {
    ScriptedEngine docker = new ScriptedEngine(CONFIG);
    docker.id = "sha256:" + "ee".repeat(32);
    assertThat(loader(docker, "Docker Engine", "1.41").ensure(bothFormats()).transferred()).isTrue();
    assertThat(docker.loadedBody).isEqualTo("docker");
  }

  @Test
  void aTagNamingHerdsImageIsNotTransferredAgain() {
    ScriptedEngine docker = new ScriptedEngine(CONFIG);
    docker.id = CONFIG;
    assertThat(loader(docker, "Docker Engine", "1.41").ensure(bothFormats()).transferred()).isFalse();
    assertThat(docker.calls).containsExactly("GET /images/" + REF + "/json");
  }
}
