package dev.herd.control;

import dev.herd.common.Refusal;
import dev.herd.common.files.PrivateFiles;
import dev.herd.engine.Engine;
import dev.herd.engine.ExecResult;
import dev.herd.engine.NodeRef;
import dev.herd.spec.Fleet;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Backups of fleets' state under {@code .herd/backups/<fleet>/<id>/}: one file per volume (a tar
 * of it, {@code <volume>.tar}) or the backup command's stdout ({@code archive}), each with its
 * sha256 in {@code manifest.properties}. Written in a hidden directory and renamed into place
 * when complete, so a failed backup leaves nothing that looks like one. Files 0600, dirs 0700.
 */
public final class BackupStore {
  static final String MANIFEST = "manifest.properties";
  static final String COMMAND_ARCHIVE = "archive";
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,80}-[0-9]{8}T[0-9]{9}Z");
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

  /** A backup that failed or cannot be used: the message says why, nothing was changed. */
  public static final class BackupRefused extends RuntimeException implements Refusal {
    public BackupRefused(String message) {
      super(message);
    }
  }

  /**
   * One stored backup.
   *
   * @param kind {@code volumes} (a tar per volume, restored by herd) or {@code command} (restored by backup.restore)
   * @param files file name → sha256 hex
   */
  public record BackupInfo(String id, String fleet, String node, String kind, Instant created, Duration took, long bytes,
      Map<String, String> files) {
    public BackupInfo {
      files = Map.copyOf(files);
    }
  }

  private final Path root;
  private final Engine engine;
  private final Clock clock;

  public BackupStore(Path stateDir, Engine engine, Clock clock) {
    this.root = stateDir.resolve("backups");
    this.engine = engine;
    this.clock = clock;
  }

  /**
   * Takes a backup of the node (slot {@code slot}, running as {@code node}): the backup command's
   * stdout, or a tar of each volume. Throws {@link BackupRefused} when it fails (nothing kept).
   */
  public BackupInfo take(String fleet, String slot, NodeRef node, List<Fleet.Volume> volumes, Optional<Fleet.Backup> backup) {
    Instant start = clock.instant();
    String id = slot + "-" + STAMP.format(start);
    Path dir = root.resolve(fleet).resolve(id);
    Path partial = root.resolve(fleet).resolve("." + id + ".partial");
    Map<String, String> files = new LinkedHashMap<>();
    long bytes = 0;
    List<String> command = backup.map(Fleet.Backup::command).orElse(List.of());
    try {
      PrivateFiles.directories(partial);
      if (!command.isEmpty()) {
        Path file = partial.resolve(COMMAND_ARCHIVE);
        ExecResult r;
        try (OutputStream out = PrivateFiles.newOutputStream(file)) {
          DigestOutputStream digest = new DigestOutputStream(out, sha256());
          r = engine.exec(node, command, digest);
          files.put(COMMAND_ARCHIVE, HexFormat.of().formatHex(digest.getMessageDigest().digest()));
        }
        if (!r.ok()) {
          throw new BackupRefused("backup of " + slot + " failed: " + String.join(" ", command) + " exited with "
              + r.exitCode() + (r.stderr().isBlank() ? "" : ": " + r.stderr().strip()));
        }
        bytes += Files.size(file);
      } else {
        if (volumes.isEmpty()) {
          throw new BackupRefused("fleet " + fleet + " has no volume to back up and no backup.command");
        }
        for (Fleet.Volume v : volumes) {
          Path file = partial.resolve(v.name() + ".tar");
          try (OutputStream out = PrivateFiles.newOutputStream(file)) {
            DigestOutputStream digest = new DigestOutputStream(out, sha256());
            engine.exportVolume(node, v.name(), digest);
            files.put(file.getFileName().toString(), HexFormat.of().formatHex(digest.getMessageDigest().digest()));
          }
          bytes += Files.size(file);
        }
      }
      BackupInfo info = new BackupInfo(id, fleet, slot, command.isEmpty() ? "volumes" : "command", start,
          Duration.between(start, clock.instant()), bytes, files);
      writeManifest(partial.resolve(MANIFEST), info);
      Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
      return info;
    } catch (IOException e) {
      throw new BackupRefused("backup of " + slot + " failed: cannot write " + partial + ": " + e.getMessage());
    } catch (dev.herd.engine.EngineException e) {
      throw new BackupRefused("backup of " + slot + " failed: " + e.getMessage());
    } finally {
      deleteTree(partial);
    }
  }

  /** Every backup of a fleet (of every fleet when empty), newest first. */
  public List<BackupInfo> list(Optional<String> fleet) {
    List<BackupInfo> out = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (Stream<Path> fleets = Files.list(root)) {
      for (Path f : fleets.filter(Files::isDirectory).toList()) {
        if (fleet.isPresent() && !f.getFileName().toString().equals(fleet.get())) {
          continue;
        }
        try (Stream<Path> ids = Files.list(f)) {
          for (Path d : ids.filter(p -> ID.matcher(p.getFileName().toString()).matches()).toList()) {
            readManifest(d).ifPresent(out::add);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.sort(Comparator.comparing(BackupInfo::created).reversed().thenComparing(BackupInfo::id));
    return out;
  }

  public BackupInfo find(String fleet, String id) {
    if (!ID.matcher(id).matches()) {
      throw new java.util.NoSuchElementException("no backup " + id + " of fleet " + fleet + " (ids look like db-1-20260101T120000000Z)");
    }
    return readManifest(root.resolve(fleet).resolve(id))
        .orElseThrow(() -> new java.util.NoSuchElementException("no backup " + id + " of fleet " + fleet + " (herd backups " + fleet + ")"));
  }

  /** The backup's files, each checked against its sha256; a mismatch is refused before anything changes. */
  public Map<String, Path> verified(BackupInfo b) {
    Map<String, Path> out = new LinkedHashMap<>();
    Path dir = root.resolve(b.fleet()).resolve(b.id());
    for (Map.Entry<String, String> f : b.files().entrySet()) {
      Path file = dir.resolve(f.getKey());
      String have;
      try (InputStream in = Files.newInputStream(file)) {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
          md.update(buf, 0, n);
        }
        have = HexFormat.of().formatHex(md.digest());
      } catch (IOException e) {
        throw new BackupRefused("backup " + b.id() + " is damaged: cannot read " + f.getKey() + ": " + e.getMessage());
      }
      if (!have.equals(f.getValue())) {
        throw new BackupRefused("backup " + b.id() + " is damaged: " + f.getKey() + " has sha256 " + have.substring(0, 12)
            + "…, the manifest says " + f.getValue().substring(0, 12) + "…; nothing was changed");
      }
      out.put(f.getKey(), file);
    }
    return out;
  }

  /** Keeps the newest {@code keep} backups of the fleet; returns the ids deleted. */
  public List<String> prune(String fleet, int keep) {
    List<BackupInfo> all = list(Optional.of(fleet));
    List<String> deleted = new ArrayList<>();
    for (BackupInfo b : all.subList(Math.min(keep, all.size()), all.size())) {
      deleteTree(root.resolve(fleet).resolve(b.id()));
      deleted.add(b.id());
    }
    return deleted;
  }

  private static void writeManifest(Path file, BackupInfo b) throws IOException {
    Properties p = new Properties();
    p.setProperty("id", b.id());
    p.setProperty("fleet", b.fleet());
    p.setProperty("node", b.node());
    p.setProperty("kind", b.kind());
    p.setProperty("created", b.created().toString());
    p.setProperty("took_ms", Long.toString(b.took().toMillis()));
    p.setProperty("bytes", Long.toString(b.bytes()));
    b.files().forEach((name, sha) -> p.setProperty("file." + name + ".sha256", sha));
    java.io.StringWriter w = new java.io.StringWriter();
    p.store(w, null);
    PrivateFiles.write(file, w.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  private static Optional<BackupInfo> readManifest(Path dir) {
    Path file = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
      Map<String, String> files = new LinkedHashMap<>();
      for (String k : new java.util.TreeSet<>(p.stringPropertyNames())) {
        if (k.startsWith("file.") && k.endsWith(".sha256")) {
          files.put(k.substring(5, k.length() - 7), p.getProperty(k));
        }
      }
      return Optional.of(new BackupInfo(p.getProperty("id"), p.getProperty("fleet"), p.getProperty("node"), p.getProperty("kind"),
          Instant.parse(p.getProperty("created")), Duration.ofMillis(Long.parseLong(p.getProperty("took_ms"))),
          Long.parseLong(p.getProperty("bytes")), files));
    } catch (IOException | RuntimeException e) {
      throw new BackupRefused("backup " + dir.getFileName() + " has an unreadable manifest: " + e.getMessage());
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
