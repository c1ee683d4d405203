package dev.herd.config;

import dev.herd.spec.Spec;
import dev.herd.spec.SpecLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small herd.yaml for the config tests: roles web and worker, environments dev and prod. */
final class TestSpecs {
  private TestSpecs() {}

  static Spec spec(Path dir) {
    try {
      Path file = dir.resolve("herd.yaml");
      Files.writeString(file, """
          project:
            name: shop
          roles:
            web:
              base: {scratch: {}}
              command: ["/app", "--port", "${PORT}"]
              launch:
                HEAP_MB: "{{ node.memory_mb * 3 // 4 }}"
                NODE_ID: "{{ node.name }}-{{ node.index }}"
            worker:
              base: {scratch: {}}
              command: ["/worker"]
          environments:
            dev:
              description: laptops
              config:
                GREETING: hello
                LOG_LEVEL: debug
            prod:
              description: production
              config:
                GREETING: welcome
          fleets:
            web:
              role: web
              environment: prod
              count: 3
            worker:
              role: worker
              environment: dev
              count: 1
          """);
      return SpecLoader.loadOrThrow(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
