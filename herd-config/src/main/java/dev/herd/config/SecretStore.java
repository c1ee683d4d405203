package dev.herd.config;

import dev.herd.spec.Spec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secrets per (environment, role), encrypted at rest with Tink AEAD (AES256-GCM). Each secret has
 * its own revisions (1, 2, 3 ...); a release pins the revision of each secret it uses. The
 * associated data of every ciphertext is {@code env, role, name, revision}, so a ciphertext copied
 * to another row does not decrypt. Plaintext never leaves through {@code toString}, logs or
 * exceptions; every value seen is added to {@link #redactor()}.
 *
 * <p>Key rotation ({@link #rotateKey}) is crash-safe; the steps are documented there.
 */
public final class SecretStore {
  private static final Logger log = LoggerFactory.getLogger(SecretStore.class);
  /** Re-encrypted per transaction during rotation: small enough not to hold the write lock long. */
  private static final int ROTATION_BATCH = 100;

  private final ConfigDb db;
  private final Clock clock;
  private final Redactor redactor;
  private volatile SecretKeys keys;

  private SecretStore(ConfigDb db, Clock clock, Redactor redactor, SecretKeys keys) {
    this.db = db;
    this.clock = clock;
    this.redactor = redactor;
    this.keys = keys;
  }

  /**
   * Opens the secrets in {@code db} with the key from {@code HERD_SECRETS_KEY} in {@code environment}
   * or from {@code <stateDir>/keys/secrets.json} (created, 0600 in a 0700 dir, when there is no key
   * and no secret yet).
   */
  public static SecretStore open(ConfigDb db, Path stateDir, Map<String, String> environment, Clock clock, Redactor redactor) {
    Objects.requireNonNull(redactor, "redactor");
    long stored = db.read(c -> {
      try (var s = c.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM cfg_secrets WHERE ciphertext IS NOT NULL")) {
        rs.next();
        return rs.getLong(1);
      }
    });
    SecretKeys keys = SecretKeys.load(stateDir, environment, stored == 0);
    return new SecretStore(db, clock, redactor, keys);
  }

  public Redactor redactor() {
    return redactor;
  }

  /** Stores a new revision of a secret. The value comes from stdin or a file, never argv. */
  public SecretRevision set(Spec spec, String env, String role, String name, byte[] value, Edit edit) {
    Scope scope = Scope.of(spec, env, role);
    SecretNames.check(name).ifPresent(m -> {
      throw ConfigException.invalid(m);
    });
    SecretNames.checkValue(name, value).ifPresent(m -> {
      throw ConfigException.invalid(m);
    });
    Objects.requireNonNull(edit, "edit");
    redactor.add(value);
    SecretRevision r = db.write(c -> {
      long revision = latest(c, scope, name) + 1;
      SecretKeys k = keys;
      byte[] ciphertext = encrypt(k, scope, name, revision, value);
      insert(c, scope, name, revision, ciphertext, k.primaryId(), edit);
      return row(c, scope, name, revision);
    });
    log.info("secret {}/{} revision {} set by {}", scope, name, r.revision(), r.author());
    return r;
  }

  /** Removes a secret: a new revision without a value. Older revisions stay readable for pinned releases. */
  public SecretRevision remove(Spec spec, String env, String role, String name, Edit edit) {
    Scope scope = Scope.of(spec, env, role);
    SecretRevision r = db.write(c -> {
      long latest = latest(c, scope, name);
      if (latest == 0 || row(c, scope, name, latest).removed()) {
        throw ConfigException.notFound("no secret " + name + " in " + scope);
      }
      insert(c, scope, name, latest + 1, null, null, edit);
      return row(c, scope, name, latest + 1);
    });
    log.info("secret {}/{} removed by {} (revision {})", scope, name, r.author(), r.revision());
    return r;
  }

  /** The latest value of a secret. */
  public Secret get(Spec spec, String env, String role, String name) {
    Scope scope = Scope.of(spec, env, role);
    long latest = db.read(c -> latest(c, scope, name));
    if (latest == 0) {
      throw ConfigException.notFound("no secret " + name + " in " + scope);
    }
    return get(scope, name, latest);
  }

  /** A secret at a revision (as pinned by a release). */
  public Secret get(Spec spec, String env, String role, String name, long revision) {
    return get(Scope.of(spec, env, role), name, revision);
  }

  private Secret get(Scope scope, String name, long revision) {
    Row r = db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT ciphertext, key_id FROM cfg_secrets WHERE env = ? AND role = ? AND name = ? AND revision = ?")) {
        bind(ps, scope, name);
        ps.setLong(4, revision);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? new Row(rs.getBytes(1), rs.getInt(2)) : null;
        }
      }
    });
    if (r == null) {
      throw ConfigException.notFound("secret " + name + " in " + scope + " has no revision " + revision);
    }
    if (r.ciphertext == null) {
      throw ConfigException.notFound("secret " + name + " in " + scope + " was removed in revision " + revision);
    }
    byte[] plain = decrypt(keys, scope, name, revision, r.ciphertext, r.keyId);
    redactor.add(plain);
    return new Secret(scope, name, revision, plain);
  }

  private record Row(byte[] ciphertext, int keyId) {}

  /** The current revision of every secret of a scope that is not removed: what a new release pins. */
  public Map<String, Long> revisions(Spec spec, String env, String role) {
    Scope scope = Scope.of(spec, env, role);
    return db.read(c -> {
      Map<String, Long> out = new TreeMap<>();
      try (PreparedStatement ps = c.prepareStatement("""
          SELECT name, revision FROM cfg_secrets s WHERE env = ? AND role = ? AND ciphertext IS NOT NULL
          AND revision = (SELECT MAX(revision) FROM cfg_secrets WHERE env = s.env AND role = s.role AND name = s.name)""")) {
        ps.setString(1, scope.environment());
        ps.setString(2, scope.role());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.put(rs.getString(1), rs.getLong(2));
          }
        }
      }
      return out;
    });
  }

  /**
   * The plaintexts of the pinned revisions, name → bytes: what the engine writes to /run/secrets
   * (NodeSpec.secrets). Fails if any pinned revision is missing or cannot be decrypted.
   */
  public Map<String, byte[]> materialize(String env, String role, Map<String, Long> pinned) {
    Scope scope = new Scope(env, role);
    Map<String, byte[]> out = new TreeMap<>();
    pinned.forEach((name, revision) -> out.put(name, get(scope, name, revision).value()));
    return out;
  }

  /** Every revision of one secret, newest first, without values. */
  public List<SecretRevision> history(Spec spec, String env, String role, String name) {
    Scope scope = Scope.of(spec, env, role);
    return db.read(c -> {
      List<Long> revs = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT revision FROM cfg_secrets WHERE env = ? AND role = ? AND name = ? ORDER BY revision DESC")) {
        bind(ps, scope, name);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            revs.add(rs.getLong(1));
          }
        }
      }
      List<SecretRevision> out = new ArrayList<>();
      for (long r : revs) {
        out.add(row(c, scope, name, r));
      }
      return out;
    });
  }

  /** The latest revision of each secret in a scope (removed ones included, marked), sorted by name. */
  public List<SecretRevision> list(Spec spec, String env, String role) {
    Scope scope = Scope.of(spec, env, role);
    return db.read(c -> {
      List<String> names = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT name FROM cfg_secrets WHERE env = ? AND role = ? ORDER BY name")) {
        ps.setString(1, scope.environment());
        ps.setString(2, scope.role());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            names.add(rs.getString(1));
          }
        }
      }
      List<SecretRevision> out = new ArrayList<>();
      for (String n : names) {
        out.add(row(c, scope, n, latest(c, scope, n)));
      }
      return out;
    });
  }

  /** Decrypts the latest value of every secret so the redactor knows them all (call once at server start). */
  public void primeRedactor() {
    List<String[]> live = db.read(c -> {
      List<String[]> out = new ArrayList<>();
      try (var s = c.createStatement(); var rs = s.executeQuery("""
          SELECT env, role, name, revision FROM cfg_secrets s WHERE ciphertext IS NOT NULL
          AND revision = (SELECT MAX(revision) FROM cfg_secrets WHERE env = s.env AND role = s.role AND name = s.name)""")) {
        while (rs.next()) {
          out.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), Long.toString(rs.getLong(4))});
        }
      }
      return out;
    });
    for (String[] l : live) {
      get(new Scope(l[0], l[1]), l[2], Long.parseLong(l[3]));
    }
  }

  /** What a rotation did. */
  public record Rotation(int oldKeys, int newPrimaryKeyId, int reencrypted, boolean resumed) {}

  /**
   * Replaces the encryption key; every stored secret revision stays readable throughout. Steps, in
   * this order, each durable before the next:
   *
   * <ol>
   *   <li>Write the keyset file with a new key added as primary (old keys kept), by temp file +
   *       fsync + rename(2). New secrets are now encrypted with the new key; old ones still decrypt.
   *   <li>Re-encrypt every secret revision not under the new key, {@value #ROTATION_BATCH} per
   *       transaction (row = new ciphertext + key id, atomically).
   *   <li>Check that no row is left under an old key.
   *   <li>Rewrite the keyset file with the new key alone.
   * </ol>
   *
   * A crash before step 1 completes leaves the old file; after it, the file holds every key any
   * row is encrypted with. Running rotate-key again when the keyset has more than one key resumes
   * at step 2 with the current primary instead of adding another key.
   */
  public synchronized Rotation rotateKey() {
    SecretKeys k = keys;
    boolean resume = k.keyIds().size() > 1;
    int oldKeys = resume ? k.keyIds().size() - 1 : 1;
    if (!resume) {
      k = k.withNewPrimary();
      keys = k;
      log.info("secrets key rotation: new primary key {} written to {}", Integer.toUnsignedString(k.primaryId()), k.describe());
    } else {
      log.info("secrets key rotation: resuming with primary key {}", Integer.toUnsignedString(k.primaryId()));
    }
    final SecretKeys current = k;
    int done = 0;
    while (true) {
      int n = db.write(c -> reencryptBatch(c, current));
      done += n;
      if (n == 0) {
        break;
      }
    }
    long left = db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM cfg_secrets WHERE ciphertext IS NOT NULL AND key_id <> ?")) {
        ps.setInt(1, current.primaryId());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
    if (left > 0) {
      throw new ConfigException(ConfigException.Kind.KEY, left + " secret revisions are still under an old key; run rotate-key again");
    }
    keys = current.withPrimaryOnly();
    log.info("secrets key rotation done: {} revisions re-encrypted, {} old key(s) removed", done, oldKeys);
    return new Rotation(oldKeys, current.primaryId(), done, resume);
  }

  private int reencryptBatch(Connection c, SecretKeys k) throws SQLException {
    List<Object[]> rows = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT env, role, name, revision, ciphertext, key_id FROM cfg_secrets WHERE ciphertext IS NOT NULL AND key_id <> ? LIMIT ?")) {
      ps.setInt(1, k.primaryId());
      ps.setInt(2, ROTATION_BATCH);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new Object[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getBytes(5), rs.getInt(6)});
        }
      }
    }
    try (PreparedStatement up = c.prepareStatement(
        "UPDATE cfg_secrets SET ciphertext = ?, key_id = ? WHERE env = ? AND role = ? AND name = ? AND revision = ?")) {
      for (Object[] r : rows) {
        Scope scope = new Scope((String) r[0], (String) r[1]);
        String name = (String) r[2];
        long revision = (Long) r[3];
        byte[] plain = decrypt(k, scope, name, revision, (byte[]) r[4], (Integer) r[5]);
        up.setBytes(1, encrypt(k, scope, name, revision, plain));
        up.setInt(2, k.primaryId());
        up.setString(3, scope.environment());
        up.setString(4, scope.role());
        up.setString(5, name);
        up.setLong(6, revision);
        up.addBatch();
      }
      up.executeBatch();
    }
    return rows.size();
  }

  // ---- crypto ---------------------------------------------------------------------------------

  /** Binds a ciphertext to its row: NUL cannot occur in names, so the fields cannot run together. */
  static byte[] associatedData(Scope scope, String name, long revision) {
    return ("herd-secret\0" + scope.environment() + "\0" + scope.role() + "\0" + name + "\0" + revision)
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] encrypt(SecretKeys k, Scope scope, String name, long revision, byte[] plain) {
    try {
      return k.encrypt(plain, associatedData(scope, name, revision));
    } catch (GeneralSecurityException e) {
      throw new ConfigException(ConfigException.Kind.KEY, "cannot encrypt secret " + name + " in " + scope + ": " + e.getMessage(), e);
    }
  }

  private static byte[] decrypt(SecretKeys k, Scope scope, String name, long revision, byte[] ciphertext, int keyId) {
    try {
      return k.decrypt(ciphertext, associatedData(scope, name, revision));
    } catch (GeneralSecurityException e) {
      String why = k.keyIds().contains(keyId)
          ? "the ciphertext does not authenticate (it was changed or moved from another secret)"
          : "it was encrypted with key " + Integer.toUnsignedString(keyId) + ", which the key in " + k.describe()
              + " does not hold (keys " + k.keyIds().stream().map(Integer::toUnsignedString).toList()
              + "); is this the right keys/secrets.json or " + SecretKeys.ENV + "?";
      throw new ConfigException(ConfigException.Kind.KEY,
          "cannot decrypt secret " + name + " revision " + revision + " in " + scope + ": " + why);
    }
  }

  // ---- SQL ------------------------------------------------------------------------------------

  private static void bind(PreparedStatement ps, Scope scope, String name) throws SQLException {
    ps.setString(1, scope.environment());
    ps.setString(2, scope.role());
    ps.setString(3, name);
  }

  private static long latest(Connection c, Scope scope, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT COALESCE(MAX(revision), 0) FROM cfg_secrets WHERE env = ? AND role = ? AND name = ?")) {
      bind(ps, scope, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private void insert(Connection c, Scope scope, String name, long revision, byte[] ciphertext, Integer keyId, Edit edit)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO cfg_secrets(env, role, name, revision, ciphertext, key_id, author, time, message) VALUES (?,?,?,?,?,?,?,?,?)")) {
      bind(ps, scope, name);
      ps.setLong(4, revision);
      if (ciphertext == null) {
        ps.setNull(5, Types.BLOB);
        ps.setNull(6, Types.INTEGER);
      } else {
        ps.setBytes(5, ciphertext);
        ps.setInt(6, keyId);
      }
      ps.setString(7, edit.author());
      ps.setLong(8, clock.instant().toEpochMilli());
      ps.setString(9, edit.message());
      ps.executeUpdate();
    }
  }

  private static SecretRevision row(Connection c, Scope scope, String name, long revision) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT author, time, message, ciphertext IS NULL FROM cfg_secrets WHERE env = ? AND role = ? AND name = ? AND revision = ?")) {
      bind(ps, scope, name);
      ps.setLong(4, revision);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw ConfigException.notFound("secret " + name + " in " + scope + " has no revision " + revision);
        }
        return new SecretRevision(scope, name, revision, rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)),
            rs.getString(3), rs.getBoolean(4));
      }
    }
  }
  // ---- registry credentials (herd login)

  /**
   * Registry credentials live beside the other secrets, encrypted the same way, under the scope
   * {@code @registries/<registry>}; no spec environment can be named like that, so they never
   * reach a node.
   */
  static final String REGISTRY_SCOPE = "@registries";

  /** Stores a new revision of {@code registry}'s credentials, named as in {@code registries.NAME.credentials}. */
  public SecretRevision setRegistryCredentials(String registry, String name, byte[] value, Edit edit) {
    if (registry == null || !registry.matches("[a-z][a-z0-9-]{0,39}")) {
      throw ConfigException.invalid("'" + registry + "' is not a registry name");
    }
    SecretNames.check(name).ifPresent(m -> {
      throw ConfigException.invalid(m);
    });
    SecretNames.checkValue(name, value).ifPresent(m -> {
      throw ConfigException.invalid(m);
    });
    Objects.requireNonNull(edit, "edit");
    Scope scope = new Scope(REGISTRY_SCOPE, registry);
    redactor.add(value);
    SecretRevision r = db.write(c -> {
      long revision = latest(c, scope, name) + 1;
      SecretKeys k = keys;
      insert(c, scope, name, revision, encrypt(k, scope, name, revision, value), k.primaryId(), edit);
      return row(c, scope, name, revision);
    });
    log.info("credentials {} of registry {} stored by {} (revision {})", name, registry, r.author(), r.revision());
    return r;
  }

  /** The latest credentials of a registry, or empty when {@code herd login} never stored them. */
  public java.util.Optional<Secret> registryCredentials(String registry, String name) {
    Scope scope = new Scope(REGISTRY_SCOPE, registry);
    long latest = db.read(c -> latest(c, scope, name));
    if (latest == 0) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(get(scope, name, latest));
  }
}
