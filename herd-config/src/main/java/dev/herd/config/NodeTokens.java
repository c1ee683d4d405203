package dev.herd.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node-scoped tokens: each node gets a random 256-bit token at launch, with which it may read its
 * own config, flags and discovery (watch API) and nothing else. Only the SHA-256 of a token is
 * stored (a fast hash is enough for 256 random bits; nobody can guess through it).
 */
public final class NodeTokens {
  private static final Logger log = LoggerFactory.getLogger(NodeTokens.class);
  static final String PREFIX = "hnt_";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ConfigDb db;
  private final Clock clock;

  public NodeTokens(ConfigDb db, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A new token for a node; any earlier token of the same fleet/node stops working. */
  public NodeToken issue(NodeIdentity node) {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    db.write(c -> {
      try (PreparedStatement del = c.prepareStatement("DELETE FROM cfg_node_tokens WHERE fleet = ? AND node = ?")) {
        del.setString(1, node.fleet());
        del.setString(2, node.node());
        del.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO cfg_node_tokens(token_hash, fleet, node, env, role, created_at) VALUES (?,?,?,?,?,?)")) {
        ps.setString(1, hash(token));
        ps.setString(2, node.fleet());
        ps.setString(3, node.node());
        ps.setString(4, node.environment());
        ps.setString(5, node.role());
        ps.setLong(6, clock.millis());
        ps.executeUpdate();
      }
      return null;
    });
    log.info("node token issued for {}/{}", node.fleet(), node.node());
    return new NodeToken(node, token);
  }

  /** The node a token belongs to, or empty for an unknown, revoked or malformed token. */
  public Optional<NodeIdentity> verify(String token) {
    if (token == null || !token.startsWith(PREFIX) || token.length() > 100) {
      return Optional.empty();
    }
    String h = hash(token);
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT fleet, node, env, role FROM cfg_node_tokens WHERE token_hash = ?")) {
        ps.setString(1, h);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next()
              ? Optional.of(new NodeIdentity(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
              : Optional.empty();
        }
      }
    });
  }

  /** Every node holding a token, as fleet → node names (for the sweep of leftovers). */
  public java.util.Map<String, java.util.Set<String>> nodes() {
    return db.read(c -> {
      java.util.Map<String, java.util.Set<String>> out = new java.util.TreeMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT fleet, node FROM cfg_node_tokens");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.computeIfAbsent(rs.getString(1), k -> new java.util.TreeSet<>()).add(rs.getString(2));
        }
      }
      return out;
    });
  }

  /** Revokes a node's token (when the node is removed). */
  public void revoke(String fleet, String node) {
    int n = db.write(c -> {
      try (PreparedStatement del = c.prepareStatement("DELETE FROM cfg_node_tokens WHERE fleet = ? AND node = ?")) {
        del.setString(1, fleet);
        del.setString(2, node);
        return del.executeUpdate();
      }
    });
    if (n > 0) {
      log.info("node token revoked for {}/{}", fleet, node);
    }
  }

  static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
