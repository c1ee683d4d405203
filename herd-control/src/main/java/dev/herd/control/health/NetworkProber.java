package dev.herd.control.health;

import dev.herd.spec.Health;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * Probes nodes over loopback: HTTP GET {@code http://127.0.0.1:<port><path>} expecting a status,
 * or a TCP connect. Command checks need an exec call on the engine, which the engine interface
 * does not offer yet, so they are reported as unsupported instead of being faked.
 */
public final class NetworkProber implements HealthProber {
  private final HttpClient http = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  @Override
  public boolean supports(Health.Check check) {
    return !(check instanceof Health.Command);
  }

  @Override
  public ProbeResult probe(ProbeTarget target, Health.Check check, Duration timeout) {
    return switch (check) {
      case Health.Http h -> http(target.port(), h, timeout);
      case Health.Tcp t -> tcp(target.port(), timeout);
      case Health.Command c -> ProbeResult.fail("command health checks are not supported yet (the engine has no exec)");
    };
  }

  private ProbeResult http(int port, Health.Http h, Duration timeout) {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + h.path()))
        .timeout(timeout).GET().build();
    try {
      HttpResponse<Void> resp = http.send(req, HttpResponse.BodyHandlers.discarding());
      String detail = "HTTP " + resp.statusCode();
      return resp.statusCode() == h.expectStatus() ? ProbeResult.ok(detail)
          : ProbeResult.fail(detail + ", expected " + h.expectStatus());
    } catch (HttpTimeoutException e) {
      return ProbeResult.fail("no answer within " + timeout.toMillis() + "ms");
    } catch (ConnectException e) {
      return ProbeResult.fail("connection refused");
    } catch (IOException e) {
      return ProbeResult.fail(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ProbeResult.fail("interrupted");
    }
  }

  private static ProbeResult tcp(int port, Duration timeout) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), (int) Math.max(1, timeout.toMillis()));
      return ProbeResult.ok("connected");
    } catch (SocketTimeoutException e) {
      return ProbeResult.fail("connect timed out after " + timeout.toMillis() + "ms");
    } catch (ConnectException e) {
      return ProbeResult.fail("connection refused");
    } catch (IOException e) {
      return ProbeResult.fail(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
  }
}
