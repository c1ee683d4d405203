package dev.herd.engine.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herd.engine.EngineFailure;
import dev.herd.engine.EnsuredImage;
import dev.herd.engine.ImageSource;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads an image archive into the engine once per manifest digest. Engines re-derive manifests
 * on load, so the digest cannot be looked up directly; herd tags what it loaded
 * {@code herd.local/image:sha256-<hex>} and looks for that tag next time.
 */
final class ImageLoader {
  private static final Logger log = LoggerFactory.getLogger(ImageLoader.class);
  private final RawApi api;
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  ImageLoader(RawApi api) {
    this.api = api;
  }

  boolean present(String digest) {
    RawApi.Reply r = api.get("/images/" + EnsuredImage.refFor(digest) + "/json");
    if (r.status() == 200) {
      return true;
    }
    if (r.status() == 404) {
      return false;
    }
    throw new EngineFailure("cannot inspect image " + digest + ": " + r.status() + " " + RawApi.abbreviate(r.body()), r.status(), null);
  }

  EnsuredImage ensure(ImageSource source) {
    String ref = EnsuredImage.refFor(source.digest());
    synchronized (locks.computeIfAbsent(source.digest(), d -> new Object())) {
      if (present(source.digest())) {
        return new EnsuredImage(source.digest(), ref, false);
      }
      String loaded = load(source);
      int colon = ref.lastIndexOf(':');
      RawApi.Reply tag = api.post("/images/" + loaded + "/tag?repo=" + enc(ref.substring(0, colon))
          + "&tag=" + enc(ref.substring(colon + 1)), null, null);
      if (tag.status() / 100 != 2) {
        throw new EngineFailure("loaded image " + source.shortDigest() + " as " + loaded + " but could not tag it "
            + ref + ": " + RawApi.abbreviate(tag.body()), tag.status(), null);
      }
      log.info("loaded image {} into the engine as {}", source.shortDigest(), ref);
      return new EnsuredImage(source.digest(), ref, true);
    }
  }

  /** Streams the archive into POST /images/load; returns the name or id the engine loaded it as. */
  private String load(ImageSource source) {
    AtomicReference<IOException> writeFailure = new AtomicReference<>();
    RawApi.Reply reply;
    try (PipedInputStream in = new PipedInputStream(1 << 16)) {
      PipedOutputStream out = new PipedOutputStream(in);
      Thread writer = Thread.ofVirtual().name("herd-image-writer").start(() -> {
        try (out) {
          source.writer().writeTo(out);
        } catch (IOException e) {
          writeFailure.set(e);
        }
      });
      reply = api.post("/images/load?quiet=1", in, "application/x-tar");
      writer.join();
    } catch (IOException e) {
      throw new EngineFailure("cannot stream image " + source.shortDigest() + ": " + e.getMessage(), 0, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineFailure("interrupted while loading image " + source.shortDigest(), 0, e);
    }
    if (writeFailure.get() != null) {
      throw new EngineFailure("could not write image " + source.shortDigest() + " archive: "
          + writeFailure.get().getMessage(), 0, writeFailure.get());
    }
    if (reply.status() / 100 != 2) {
      throw new EngineFailure("engine refused image " + source.shortDigest() + " (" + source.format() + "): "
          + RawApi.abbreviate(reply.body()), reply.status(), null);
    }
    return loadedName(reply.body(), source);
  }

  /** Docker and Podman answer with JSON lines like {"stream":"Loaded image: NAME\n"}. */
  static String loadedName(String body, ImageSource source) {
    for (String line : body.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode n;
      try {
        n = RawApi.JSON.readTree(line);
      } catch (IOException e) {
        continue;
      }
      if (n.hasNonNull("error")) {
        throw new EngineFailure("engine refused image " + source.shortDigest() + ": " + n.get("error").asText());
      }
      String text = n.path("stream").asText("");
      int at = text.indexOf("Loaded image");
      if (at >= 0) {
        String names = text.substring(text.indexOf(':', at) + 1).strip();
        return names.split(",")[0].strip();
      }
    }
    throw new EngineFailure("engine loaded image " + source.shortDigest() + " but did not say as what: "
        + RawApi.abbreviate(body));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
