package dev.herd.server;

import dev.herd.server.api.ApiFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The bearer token of one server run: 32 random bytes, written to {@code <stateDir>/api-token}
 * (mode 0600) for local clients. Never logged; {@link #toString()} hides it.
 */
final class ApiToken {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final byte[] value;

  private ApiToken(byte[] value) {
    this.value = value;
  }

  /** A fresh token, written to the state dir (replacing the one of an earlier run). */
  static ApiToken createIn(Path stateDir) {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    byte[] text = Base64.getUrlEncoder().withoutPadding().encode(raw);
    try {
      ApiFiles.writePrivate(ApiFiles.token(stateDir), text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the API token to " + ApiFiles.token(stateDir), e);
    }
    return new ApiToken(text);
  }

  /** Constant-time: how much of a wrong token matched must not show in the response time. */
  boolean matches(String presented) {
    return presented != null && MessageDigest.isEqual(value, presented.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public String toString() {
    return "ApiToken[hidden]";
  }
}
