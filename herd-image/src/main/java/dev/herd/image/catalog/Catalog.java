package dev.herd.image.catalog;

import dev.herd.db.Db;
import dev.herd.db.DbException;
import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog of role versions in SQLite ({@code <stateDir>/herd.db}, WAL, shared with the
 * controller): {@code web:1, web:2...} → manifest digests, channels with history, revocations,
 * SBOM links and retention. Versions are minted in an immediate (write-locked) transaction, so two
 * bakes of one role never get the same number, even from two processes.
 */
public final class Catalog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Catalog.class);
  private static final String COLUMNS =
      "role, version, digest, created_at, size, spec_digest, git_commit, base_digest, revoked_at, revoked_reason";

  private final Db db;
  private final Clock clock;

  private Catalog(Db db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public static Catalog open(Path dbFile) {
    return open(dbFile, Clock.systemUTC());
  }

  public static Catalog open(Path dbFile, Clock clock) {
    Path f = dbFile.toAbsolutePath().normalize();
    try {
      Db db = Db.open(f, Migrations.MIGRATOR);
      return new Catalog(db, clock);
    } catch (DbException e) {
      throw new ImageException(e.needsOperator() ? e.getMessage() : "cannot open the image catalog " + f + ": " + e.getMessage(), e);
    }
  }

  /** The result of {@link #register}: the image and whether a new version was minted. */
  public record Registration(CatalogImage image, boolean minted) {}

  /**
   * Records a baked image for a role. A digest the role already has returns that version (a
   * rebake that produced identical bytes is not a new version); otherwise the next number is
   * minted.
   */
  public synchronized Registration register(String role, Digest digest, long size, Lineage lineage) {
    Names.role(role);
    return tx(conn -> {
      try (PreparedStatement ps = conn.prepareStatement("SELECT version, deleted_at FROM image_versions WHERE role = ? AND digest = ?")) {
        ps.setString(1, role);
        ps.setString(2, digest.toString());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            int version = rs.getInt(1);
            if (rs.getObject(2) != null) {
              // gc removed it earlier and the bake just wrote the blobs again: bring it back.
              update(conn, "UPDATE image_versions SET deleted_at = NULL WHERE role = ? AND version = ?", role, version);
            }
            return new Registration(load(conn, role, version).orElseThrow(), false);
          }
        }
      }
      int next;
      try (PreparedStatement ps = conn.prepareStatement("SELECT COALESCE(MAX(version), 0) + 1 FROM image_versions WHERE role = ?")) {
        ps.setString(1, role);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          next = rs.getInt(1);
        }
      }
      try (PreparedStatement ps = conn.prepareStatement(
          "INSERT INTO image_versions(role, version, digest, created_at, size, spec_digest, git_commit, base_digest) VALUES (?,?,?,?,?,?,?,?)")) {
        ps.setString(1, role);
        ps.setInt(2, next);
        ps.setString(3, digest.toString());
        ps.setLong(4, clock.millis());
        ps.setLong(5, size);
        ps.setString(6, lineage.specDigest());
        ps.setString(7, lineage.gitCommit());
        ps.setString(8, lineage.baseDigest());
        ps.executeUpdate();
      }
      log.info("image {}:{} registered as {}", role, next, digest);
      return new Registration(load(conn, role, next).orElseThrow(), true);
    });
  }

  /** Images of one role (or all roles when null), newest first per role; gc'd versions left out. */
  public synchronized List<CatalogImage> list(String role) {
    return read(conn -> {
      String sql = "SELECT " + COLUMNS + " FROM image_versions WHERE deleted_at IS NULL"
          + (role == null ? "" : " AND role = ?") + " ORDER BY role, version DESC";
      try (PreparedStatement ps = conn.prepareStatement(sql)) {
        if (role != null) {
          ps.setString(1, role);
        }
        return readAll(conn, ps);
      }
    });
  }

  /** Roles that have at least one image. */
  public synchronized List<String> roles() {
    return read(conn -> {
      List<String> out = new ArrayList<>();
      try (PreparedStatement ps = conn.prepareStatement("SELECT DISTINCT role FROM image_versions WHERE deleted_at IS NULL ORDER BY role");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    });
  }

  /**
   * Finds an image to look at (revoked ones included). Unknown roles, versions, channels and
   * digests are {@link ImageException}s that say what exists.
   */
  public synchronized CatalogImage find(ImageRef ref) {
    return read(conn -> lookup(conn, ref, false));
  }

  /**
   * Resolves an image for deployment: never a revoked one. {@code latest} is the newest version
   * that is not revoked; a channel pointing at a revoked version is an error, not a fallback.
   */
  public synchronized CatalogImage resolve(ImageRef ref) {
    return read(conn -> lookup(conn, ref, true));
  }

  /** Points {@code channel} of the image's role at it. Revoked images cannot be promoted. */
  public synchronized CatalogImage promote(ImageRef ref, String channel) {
    Names.channel(channel);
    return tx(conn -> {
      CatalogImage img = lookup(conn, ref, false);
      img.revocation().ifPresent(r -> {
        throw new ImageException(img.ref() + " is revoked (" + r.reason() + ") and cannot be promoted");
      });
      Integer previous = channelVersion(conn, img.role(), channel);
      long now = clock.millis();
      try (PreparedStatement ps = conn.prepareStatement(
          "INSERT INTO image_channels(role, channel, version, promoted_at) VALUES (?,?,?,?) "
              + "ON CONFLICT(role, channel) DO UPDATE SET version = excluded.version, promoted_at = excluded.promoted_at")) {
        ps.setString(1, img.role());
        ps.setString(2, channel);
        ps.setInt(3, img.version());
        ps.setLong(4, now);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = conn.prepareStatement(
          "INSERT INTO image_channel_history(role, channel, version, previous_version, promoted_at) VALUES (?,?,?,?,?)")) {
        ps.setString(1, img.role());
        ps.setString(2, channel);
        ps.setInt(3, img.version());
        if (previous == null) {
          ps.setNull(4, java.sql.Types.INTEGER);
        } else {
          ps.setInt(4, previous);
        }
        ps.setLong(5, now);
        ps.executeUpdate();
      }
      log.info("image {} promoted to channel {} (was {})", img.ref(), channel, previous == null ? "unset" : img.role() + ":" + previous);
      return load(conn, img.role(), img.version()).orElseThrow();
    });
  }

  /** One move of a channel, newest first in {@link #channelHistory}. */
  public record ChannelMove(String role, String channel, int version, Integer previousVersion, Instant at) {}

  public synchronized List<ChannelMove> channelHistory(String role, String channel) {
    return read(conn -> {
      List<ChannelMove> out = new ArrayList<>();
      try (PreparedStatement ps = conn.prepareStatement(
          "SELECT version, previous_version, promoted_at FROM image_channel_history WHERE role = ? AND channel = ? ORDER BY id DESC")) {
        ps.setString(1, role);
        ps.setString(2, channel);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new ChannelMove(role, channel, rs.getInt(1), (Integer) rs.getObject(2), Instant.ofEpochMilli(rs.getLong(3))));
          }
        }
      }
      return out;
    });
  }

  /** Channel → version for a role. */
  public synchronized Map<String, Integer> channels(String role) {
    return read(conn -> channelsOf(conn, role));
  }

  /**
   * Revokes an image: it stays listed (with the reason) but is never resolved for deployment or
   * promoted again. Revoking twice is an error that names the first revocation.
   */
  public synchronized CatalogImage revoke(ImageRef ref, String reason) {
    if (reason == null || reason.isBlank()) {
      throw new ImageException("revoking needs a reason (--reason)");
    }
    return tx(conn -> {
      CatalogImage img = lookup(conn, ref, false);
      if (img.revocation().isPresent()) {
        Revocation r = img.revocation().get();
        throw new ImageException(img.ref() + " is already revoked since " + r.at() + " (" + r.reason() + ")");
      }
      try (PreparedStatement ps = conn.prepareStatement(
          "UPDATE image_versions SET revoked_at = ?, revoked_reason = ? WHERE role = ? AND version = ?")) {
        ps.setLong(1, clock.millis());
        ps.setString(2, reason.strip());
        ps.setString(3, img.role());
        ps.setInt(4, img.version());
        ps.executeUpdate();
      }
      log.info("image {} revoked: {}", img.ref(), reason.strip());
      return load(conn, img.role(), img.version()).orElseThrow();
    });
  }

  /**
   * Decides what gc keeps: per role the newest {@code keep} versions that are not revoked, every
   * version a channel points at, and every version {@code inUse} claims. The rest is removed.
   */
  public synchronized GcPlan planGc(int keep, InUse inUse) {
    if (keep < 1) {
      throw new ImageException("gc --keep must be at least 1, got " + keep);
    }
    Map<String, List<CatalogImage>> byRole = new TreeMap<>();
    for (CatalogImage img : list(null)) {
      byRole.computeIfAbsent(img.role(), k -> new ArrayList<>()).add(img);
    }
    Map<CatalogImage, String> kept = new LinkedHashMap<>();
    List<CatalogImage> removed = new ArrayList<>();
    for (List<CatalogImage> images : byRole.values()) {
      images.sort(Comparator.comparingInt(CatalogImage::version).reversed());
      int newest = 0;
      for (CatalogImage img : images) {
        String why = null;
        if (!img.revoked() && newest < keep) {
          newest++;
          why = "newest " + keep;
        } else if (!img.channels().isEmpty()) {
          why = "channel " + String.join(",", img.channels());
        } else if (inUse.isInUse(img)) {
          why = "in use";
        }
        if (why != null) {
          kept.put(img, why);
        } else {
          removed.add(img);
        }
      }
    }
    return new GcPlan(kept, removed);
  }

  /** Marks versions as removed by gc. Their numbers are never reused. */
  public synchronized void markDeleted(Collection<CatalogImage> images) {
    tx(conn -> {
      long now = clock.millis();
      for (CatalogImage img : images) {
        try (PreparedStatement ps = conn.prepareStatement(
            "UPDATE image_versions SET deleted_at = ? WHERE role = ? AND version = ? AND deleted_at IS NULL "
                + "AND NOT EXISTS (SELECT 1 FROM image_channels ch WHERE ch.role = image_versions.role AND ch.version = image_versions.version)")) {
          ps.setLong(1, now);
          ps.setString(2, img.role());
          ps.setInt(3, img.version());
          ps.executeUpdate();
        }
      }
      return null;
    });
  }

  /** Links an SBOM blob to an image manifest (one SBOM per manifest; a new one replaces it). */
  public synchronized void putSbom(Digest manifest, Digest sbom, String mediaType) {
    tx(conn -> {
      try (PreparedStatement ps = conn.prepareStatement(
          "INSERT INTO image_sboms(digest, sbom_digest, media_type) VALUES (?,?,?) "
              + "ON CONFLICT(digest) DO UPDATE SET sbom_digest = excluded.sbom_digest, media_type = excluded.media_type")) {
        ps.setString(1, manifest.toString());
        ps.setString(2, sbom.toString());
        ps.setString(3, mediaType);
        ps.executeUpdate();
      }
      return null;
    });
  }

  public synchronized Optional<Digest> sbom(Digest manifest) {
    return read(conn -> {
      try (PreparedStatement ps = conn.prepareStatement("SELECT sbom_digest FROM image_sboms WHERE digest = ?")) {
        ps.setString(1, manifest.toString());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(Digest.parse(rs.getString(1))) : Optional.<Digest>empty();
        }
      }
    });
  }

  /** One push of an image: where to, for which channel (or none), when. */
  public record Push(Digest digest, String destination, String channel, Instant at) {}

  /** Records that the image {@code digest} now sits at {@code destination} (a registry ref). */
  public synchronized void recordPush(Digest digest, String destination, String channel) {
    tx(conn -> {
      try (PreparedStatement ps = conn.prepareStatement(
          "INSERT INTO image_pushes(digest, destination, channel, pushed_at) VALUES (?,?,?,?)")) {
        ps.setString(1, digest.toString());
        ps.setString(2, destination);
        ps.setString(3, channel);
        ps.setLong(4, clock.millis());
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** Where an image was pushed, oldest first. */
  public synchronized List<Push> pushes(Digest digest) {
    return tx(conn -> {
      List<Push> out = new ArrayList<>();
      try (PreparedStatement ps = conn.prepareStatement(
          "SELECT destination, channel, pushed_at FROM image_pushes WHERE digest = ? ORDER BY id")) {
        ps.setString(1, digest.toString());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Push(digest, rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))));
          }
        }
      }
      return out;
    });
  }

  public Path file() {
    return db.file();
  }

  @Override
  public synchronized void close() {
    db.close();
  }

  // ---- internals ----

  /** One immediate (write-locked) transaction; minting a version reads then writes. */
  private <T> T tx(Db.Work<T> work) {
    try {
      return db.write(work);
    } catch (DbException e) {
      throw wrap(e);
    }
  }

  /** A consistent snapshot that does not take the write lock (a bake may hold it). */
  private <T> T read(Db.Work<T> work) {
    try {
      return db.read(work);
    } catch (DbException e) {
      throw wrap(e);
    }
  }

  private static ImageException wrap(DbException e) {
    return new ImageException(e.needsOperator() ? e.getMessage() : "image catalog " + e.getMessage(), e);
  }

  private CatalogImage lookup(Connection conn, ImageRef ref, boolean forDeployment) throws SQLException {
    String role = ref.role();
    if (!roleExists(conn, role)) {
      List<String> roles = new ArrayList<>();
      try (PreparedStatement ps = conn.prepareStatement("SELECT DISTINCT role FROM image_versions ORDER BY role");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          roles.add(rs.getString(1));
        }
      }
      throw new ImageException("no images for role '" + role + "'"
          + (roles.isEmpty() ? " (the catalog is empty; bake first)" : " (roles with images: " + String.join(", ", roles) + ")"));
    }
    CatalogImage img = switch (ref.selector()) {
      case Selector.Latest l -> {
        String sql = "SELECT " + COLUMNS + " FROM image_versions WHERE role = ? AND deleted_at IS NULL"
            + (forDeployment ? " AND revoked_at IS NULL" : "") + " ORDER BY version DESC LIMIT 1";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
          ps.setString(1, role);
          List<CatalogImage> found = readAll(conn, ps);
          if (found.isEmpty()) {
            throw new ImageException("role '" + role + "' has no " + (forDeployment ? "deployable (non-revoked) " : "") + "image left");
          }
          yield found.get(0);
        }
      }
      case Selector.Version v -> byVersion(conn, role, v.number());
      case Selector.Channel ch -> {
        Integer version = channelVersion(conn, role, ch.name());
        if (version == null) {
          Map<String, Integer> chans = channelsOf(conn, role);
          throw new ImageException("role '" + role + "' has no channel '" + ch.name() + "'"
              + (chans.isEmpty() ? " (no channels yet; use herd promote)" : " (channels: " + String.join(", ", chans.keySet()) + ")"));
        }
        yield byVersion(conn, role, version);
      }
      case Selector.ByDigest d -> {
        try (PreparedStatement ps = conn.prepareStatement(
            "SELECT " + COLUMNS + " FROM image_versions WHERE role = ? AND digest = ? AND deleted_at IS NULL")) {
          ps.setString(1, role);
          ps.setString(2, d.digest().toString());
          List<CatalogImage> found = readAll(conn, ps);
          if (found.isEmpty()) {
            throw new ImageException("role '" + role + "' has no image " + d.digest());
          }
          yield found.get(0);
        }
      }
    };
    if (forDeployment && img.revocation().isPresent()) {
      Revocation r = img.revocation().get();
      String via = ref.selector() instanceof Selector.Channel ch ? "channel " + ch.name() + " points at " : "";
      throw new ImageException(via + img.ref() + " is revoked (" + r.reason() + ", " + r.at() + ") and cannot be deployed");
    }
    return img;
  }

  private CatalogImage byVersion(Connection conn, String role, int version) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT deleted_at FROM image_versions WHERE role = ? AND version = ?")) {
      ps.setString(1, role);
      ps.setInt(2, version);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          int max = maxVersion(conn, role);
          throw new ImageException("no image " + role + ":" + version + " (" + role + " has versions 1.." + max + ")");
        }
        if (rs.getObject(1) != null) {
          throw new ImageException("image " + role + ":" + version + " was removed by gc on " + Instant.ofEpochMilli(rs.getLong(1)));
        }
      }
    }
    return load(conn, role, version).orElseThrow();
  }

  private static int maxVersion(Connection conn, String role) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT COALESCE(MAX(version), 0) FROM image_versions WHERE role = ?")) {
      ps.setString(1, role);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static boolean roleExists(Connection conn, String role) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT 1 FROM image_versions WHERE role = ? LIMIT 1")) {
      ps.setString(1, role);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static Integer channelVersion(Connection conn, String role, String channel) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT version FROM image_channels WHERE role = ? AND channel = ?")) {
      ps.setString(1, role);
      ps.setString(2, channel);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : null;
      }
    }
  }

  private static Map<String, Integer> channelsOf(Connection conn, String role) throws SQLException {
    Map<String, Integer> out = new TreeMap<>();
    try (PreparedStatement ps = conn.prepareStatement("SELECT channel, version FROM image_channels WHERE role = ?")) {
      ps.setString(1, role);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getInt(2));
        }
      }
    }
    return out;
  }

  private static Optional<CatalogImage> load(Connection conn, String role, int version) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT " + COLUMNS + " FROM image_versions WHERE role = ? AND version = ?")) {
      ps.setString(1, role);
      ps.setInt(2, version);
      List<CatalogImage> found = readAll(conn, ps);
      return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }
  }

  private static List<CatalogImage> readAll(Connection conn, PreparedStatement ps) throws SQLException {
    Map<String, Map<Integer, List<String>>> channels = new HashMap<>();
    try (PreparedStatement q = conn.prepareStatement("SELECT role, version, channel FROM image_channels ORDER BY channel");
        ResultSet rs = q.executeQuery()) {
      while (rs.next()) {
        channels.computeIfAbsent(rs.getString(1), k -> new HashMap<>())
            .computeIfAbsent(rs.getInt(2), k -> new ArrayList<>()).add(rs.getString(3));
      }
    }
    List<CatalogImage> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String role = rs.getString(1);
        int version = rs.getInt(2);
        Optional<Revocation> rev = rs.getObject(9) == null
            ? Optional.empty()
            : Optional.of(new Revocation(rs.getString(10), Instant.ofEpochMilli(rs.getLong(9))));
        out.add(new CatalogImage(role, version, Digest.parse(rs.getString(3)), Instant.ofEpochMilli(rs.getLong(4)), rs.getLong(5),
            new Lineage(rs.getString(6), rs.getString(7), rs.getString(8)),
            channels.getOrDefault(role, Map.of()).getOrDefault(version, List.of()), rev));
      }
    }
    return out;
  }

  private static void update(Connection conn, String sql, String role, int version) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      ps.setString(1, role);
      ps.setInt(2, version);
      ps.executeUpdate();
    }
  }
}
