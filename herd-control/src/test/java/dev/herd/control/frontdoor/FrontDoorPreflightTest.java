package dev.herd.control.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.spec.Spec;
import dev.herd.spec.SpecError;
import dev.herd.spec.SpecLoader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FrontDoorPreflightTest {
  static Spec spec(String exposeWeb, String exposeApi) {
    String yaml = """
        project: {name: fd-preflight, ports: 29200-29299}
        roles:
          web:
            base: {scratch: {}}
            command: [/app]
        environments:
          dev: {}
        fleets:
          web:
            role: web
            environment: dev
            expose: %s
          api:
            role: web
            environment: dev
            expose: %s
        """.formatted(exposeWeb, exposeApi);
    return SpecLoader.load(Path.of("herd.yaml"), yaml.getBytes(StandardCharsets.UTF_8)).orThrow();
  }

  @Test
  void aPortInUseAndAnAddressTheHostLacksAreLocatedRefusals() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 29091));
      // 192.0.2.1 is TEST-NET-1: documentation only, never a host's address.
      Spec s = spec("{port: 29091}", "{port: 29092, bind: 192.0.2.1}");
      assertThat(FrontDoorPreflight.check(s, Set.of())).extracting(SpecError::render).containsExactly(
          "herd.yaml:12:20: fleets.web.expose.port: 127.0.0.1:29091 is already in use on this host (address already in use)",
          "herd.yaml:16:33: fleets.api.expose.bind: this host has no address 192.0.2.1 (use 127.0.0.1, 0.0.0.0 or one of the host's addresses)");
      // The project's own front door holds its port: that is no refusal.
      assertThat(FrontDoorPreflight.check(spec("{port: 29091}", "{port: 29092}"), Set.of("127.0.0.1:29091"))).isEmpty();
    }
  }
}
