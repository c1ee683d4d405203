package dev.herd.engine.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herd.engine.EngineFailure;
import dev.herd.engine.EngineInfo;
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
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads an image archive into the engine once per manifest digest. Engines re-derive manifests
 * on load, so the digest cannot be looked up directly; herd tags what it loaded
 * {@code herd.local/image:sha256-<hex>} and looks for that tag next time. The archive format is
 * the one the engine loads (Docker before 25 loads only docker-archive); after loading, the
 * engine's image ID must be herd's config digest, so digests still mean the same image.
 */
final class ImageLoader {
  private static final Logger log = LoggerFactory.getLogger(ImageLoader.class);
  private final RawApi api;
  private final Supplier<EngineInfo> engine;
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  ImageLoader(RawApi api, Supplier<EngineInfo> engine) {
    this.api = api;
    this.engine = engine;
  }

  boolean present(String digest) {
    return imageId(EnsuredImage.refFor(digest)) != null;
  }

  /** The engine's image ID for a name, or null when the engine has no such image. */
  private String imageId(String ref) {
    RawApi.Reply r = api.get("/images/" + ref + "/json");
    if (r.status() == 200) {
      String id = r.json().path("Id").asText("");
      return id.startsWith("sha256:") ? id : "sha256:" + id;
    }
    if (r.status() == 404) {
      return null;
    }
    throw new EngineFailure("cannot inspect image " + ref + ": " + r.status() + " " + RawApi.abbreviate(r.body()), r.status(), null);
  }

  EnsuredImage ensure(ImageSource source) {
    String ref = EnsuredImage.refFor(source.digest());
    synchronized (locks.computeIfAbsent(source.digest(), d -> new Object())) {
      String id = imageId(ref);
      if (id != null && (source.configDigest() == null || source.configDigest().equals(id))) {
        return new EnsuredImage(source.digest(), ref, false);
      }
      if (id != null) {
        log.warn("engine image {} is {}, not herd's config {}; loading herd's image again",
            ref, id, source.configDigest());
      }
      EngineInfo info = engine.get();
      ImageSource.Format format = info.capabilities().formatFor(source).orElseThrow(() -> new EngineFailure(
          info.product() + " " + info.version() + " (API " + info.apiVersion() + ") loads only "
              + info.capabilities().loads() + "; image " + source.shortDigest() + " is offered as " + source.formats()));
      String loaded = load(source, format);
      int colon = ref.lastIndexOf(':');
      RawApi.Reply tag = api.post("/images/" + loaded + "/tag?repo=" + enc(ref.substring(0, colon))
          + "&tag=" + enc(ref.substring(colon + 1)), null, null);
      if (tag.status() / 100 != 2) {
        throw new EngineFailure("loaded image " + source.shortDigest() + " as " + loaded + " but could not tag it "
            + ref + ": " + RawApi.abbreviate(tag.body()), tag.status(), null);
      }
      String loadedId = imageId(ref);
      if (source.configDigest() != null && !source.configDigest().equals(loadedId)) {
        throw new EngineFailure("engine loaded image " + source.shortDigest() + " (" + format + ") as " + loadedId
            + ", not as herd's config " + source.configDigest() + ": it rewrote the image, so herd could not tell"
            + " it from another");
      }
      log.info("loaded image {} into the engine as {} ({})", source.shortDigest(), ref, format);
      return new EnsuredImage(source.digest(), ref, true);
    }
  }

  /** Streams the archive into POST /images/load; returns the name or id the engine loaded it as. */
  private String load(ImageSource source, ImageSource.Format format) {
    AtomicReference<IOException> writeFailure = new AtomicReference<>();
    RawApi.Reply reply;
    try (PipedInputStream in = new PipedInputStream(1 << 16)) {
      PipedOutputStream out = new PipedOutputStream(in);
      Thread writer = Thread.ofVirtual().name("herd-image-writer").start(() -> {
        try (out) {
          source.writer(format).writeTo(out);
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
      throw new EngineFailure("engine refused image " + source.shortDigest() + " (" + format + "): "
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
