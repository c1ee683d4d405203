package dev.herd.server.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** A client of the loopback http API does not pay for the JDK's default TLS context; an https one keeps it. */
class ApiClientTlsTest {
  @Test
  void httpBaseSkipsTheDefaultTlsContext() throws Exception {
    ApiClient http = new ApiClient(URI.create("http://127.0.0.1:1"), "t", Duration.ofSeconds(1));
    assertThat(http.httpClient().sslContext()).isNotSameAs(SSLContext.getDefault());
    assertThat(http.httpClient().version()).isEqualTo(HttpClient.Version.HTTP_1_1);

    ApiClient https = new ApiClient(URI.create("https://127.0.0.1:1"), "t", Duration.ofSeconds(1));
    assertThat(https.httpClient().sslContext()).isSameAs(SSLContext.getDefault());
  }
}
