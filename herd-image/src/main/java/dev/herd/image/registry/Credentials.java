package dev.herd.image.registry;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/** A registry user name and password. Never printed: {@link #toString()} hides the password. */
public final class Credentials {
  private final String username;
  private final byte[] password;

  public Credentials(String username, byte[] password) {
    if (username == null || username.isEmpty() || username.contains(":")) {
      throw new IllegalArgumentException("registry user name must be non-empty and contain no ':'");
    }
    Objects.requireNonNull(password, "password");
    if (password.length == 0) {
      throw new IllegalArgumentException("registry password is empty");
    }
    this.username = username;
    this.password = password.clone();
  }

  public String username() {
    return username;
  }

  /** user:password, base64: the "auth" field of a containers auth file. */
  String basicAuth() {
    byte[] user = (username + ":").getBytes(StandardCharsets.UTF_8);
    byte[] both = Arrays.copyOf(user, user.length + password.length);
    System.arraycopy(password, 0, both, user.length, password.length);
    try {
      return java.util.Base64.getEncoder().encodeToString(both);
    } finally {
      Arrays.fill(both, (byte) 0);
    }
  }

  @Override
  public String toString() {
    return "Credentials[" + username + ", password ***]";
  }
}
