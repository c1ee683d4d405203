package dev.herd.config;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A freshly issued node token. The plaintext exists only here: herd stores its SHA-256. Deliver it
 * as the secret file {@value #SECRET_NAME} (NodeSpec.secrets), never as env or argv.
 */
public final class NodeToken {
  /** The file name under /run/secrets. */
  public static final String SECRET_NAME = "herd-node-token";

  private final NodeIdentity identity;
  private final String token;

  NodeToken(NodeIdentity identity, String token) {
    this.identity = Objects.requireNonNull(identity, "identity");
    this.token = Objects.requireNonNull(token, "token");
  }

  public NodeIdentity identity() {
    return identity;
  }

  /** The token text a node sends (Authorization: Bearer ...). */
  public String reveal() {
    return token;
  }

  public byte[] bytes() {
    return token.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "NodeToken[" + identity.fleet() + "/" + identity.node() + " = ***]";
  }
}
