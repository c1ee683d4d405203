package dev.herd.bake;

import dev.herd.image.oci.Digest;
import dev.herd.spec.Resource;
import dev.herd.spec.Spec;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Cache keys of bake stages: a hash over a stage's inputs and the key of the stage beneath, so
 * changing one template rebuilds the resources layer and what follows, nothing before it.
 * Spec locations (line numbers) are not inputs: moving a resource in herd.yaml does not rebuild.
 */
final class StageKeys {
  /** Bump when the way herd writes any layer changes, so old cache entries are not reused. */
  static final String FORMAT = "herd-bake-1";

  private StageKeys() {}

  static String of(String stage, String below, Object... inputs) {
    StringBuilder sb = new StringBuilder(FORMAT).append('\n').append(stage).append('\n').append(below);
    for (Object in : inputs) {
      sb.append('\n').append(in);
    }
    return Digest.of(sb.toString()).hex();
  }

  /** Every resource's kind and fields (not its location) plus the bytes of its source files. */
  static String resources(Spec spec, List<Resource> resources) {
    StringBuilder sb = new StringBuilder();
    for (Resource r : resources) {
      sb.append(fields((Record) r));
      source(r).ifPresent(s -> sb.append("<source ").append(s).append(' ').append(contentHash(spec.resolve(s))).append('>'));
      sb.append('\n');
    }
    return sb.toString();
  }

  /** Records (image tests, allowlist entries) by their fields, without locations. */
  static String records(List<?> records) {
    StringBuilder sb = new StringBuilder();
    for (Object o : records) {
      sb.append(fields((Record) o)).append('\n');
    }
    return sb.toString();
  }

  /** {@code Kind{name=value;...}} over a record's components, without its location. */
  private static String fields(Record r) {
    StringBuilder sb = new StringBuilder(r.getClass().getSimpleName()).append('{');
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      if (!c.getName().equals("location") && !c.getName().equals("keyPath")) {
        sb.append(c.getName()).append('=').append(read(r, c)).append(';');
      }
    }
    return sb.append('}').toString();
  }

  private static Object read(Record r, RecordComponent c) {
    try {
      return c.getAccessor().invoke(r);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read " + c.getName() + " of " + r.getClass(), e);
    }
  }

  static String map(Map<String, ?> m) {
    return new TreeMap<>(m).toString();
  }

  private static Optional<String> source(Resource r) {
    return switch (r) {
      case Resource.File f -> f.source();
      case Resource.Template t -> Optional.of(t.source());
      default -> Optional.empty();
    };
  }

  private static String contentHash(Path p) {
    try {
      return Digest.of(Files.readAllBytes(p)).hex();
    } catch (java.io.IOException | RuntimeException e) {
      // Unreadable now: the resources stage itself reports it precisely; the key only must differ.
      return "unreadable:" + e.getClass().getSimpleName();
    }
  }

}
