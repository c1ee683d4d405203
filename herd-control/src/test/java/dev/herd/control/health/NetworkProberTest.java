package dev.herd.control.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.herd.engine.NodeRef;
import dev.herd.spec.Health;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NetworkProberTest {
  HttpServer server;
  int port;
  final NetworkProber prober = new NetworkProber();

  @BeforeEach
  void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/health", x -> {
      x.sendResponseHeaders(200, -1);
      x.close();
    });
    server.createContext("/broken", x -> {
      x.sendResponseHeaders(500, -1);
      x.close();
    });
    server.start();
    port = server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private ProbeResult probe(Health.Check c, int p) {
    return prober.probe(new ProbeTarget(new NodeRef("shop", "web-1-g1"), "web", "web:v1", p), c, Duration.ofSeconds(2));
  }

  @Test
  void httpChecksCompareTheStatus() {
    assertThat(probe(new Health.Http("/health", 200), port)).isEqualTo(ProbeResult.ok("HTTP 200"));
    assertThat(probe(new Health.Http("/broken", 200), port)).isEqualTo(ProbeResult.fail("HTTP 500, expected 200"));
    assertThat(probe(new Health.Http("/broken", 500), port).ok()).isTrue();
  }

  @Test
  void tcpChecksConnectAndAClosedPortIsRefused() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    assertThat(probe(new Health.Tcp(), port).ok()).isTrue();
    assertThat(probe(new Health.Tcp(), closed)).isEqualTo(ProbeResult.fail("connection refused"));
    assertThat(probe(new Health.Http("/health", 200), closed)).isEqualTo(ProbeResult.fail("connection refused"));
  }

  @Test
  void commandChecksAreNotSupportedRatherThanFaked() {
    assertThat(prober.supports(new Health.Command(java.util.List.of("true")))).isFalse();
    assertThat(prober.supports(new Health.Tcp())).isTrue();
  }
}
