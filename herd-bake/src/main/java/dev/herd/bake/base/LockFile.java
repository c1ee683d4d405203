package dev.herd.bake.base;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * herd.lock beside herd.yaml: per role the suite, sources and exact package versions. JSON with
 * sorted keys and one entry per line so that a security update shows up as a one-line diff in
 * review.
 */
@JsonPropertyOrder({"lockVersion", "roles"})
public record LockFile(int lockVersion, SortedMap<String, RoleLock> roles) {
  public static final String FILE_NAME = "herd.lock";
  static final int VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  public LockFile {
    if (lockVersion != VERSION) {
      throw new IllegalArgumentException("herd.lock version " + lockVersion + " is not supported (expected " + VERSION + ")");
    }
    roles = new TreeMap<>(roles);
  }

  @Override
  public SortedMap<String, RoleLock> roles() {
    return Collections.unmodifiableSortedMap(roles);
  }

  public static LockFile empty() {
    return new LockFile(VERSION, new TreeMap<>());
  }

  /** The lock file that belongs to a spec file. */
  public static Path besideSpec(Path specFile) {
    Path dir = specFile.toAbsolutePath().getParent();
    return dir.resolve(FILE_NAME);
  }

  /** Reads a lock file; empty if there is none. */
  public static Optional<LockFile> read(Path file) {
    try {
      return Optional.of(parse(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  static LockFile parse(String json) {
    try {
      return JSON.readValue(json, LockFile.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a valid herd.lock: " + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }

  public Optional<RoleLock> role(String name) {
    return Optional.ofNullable(roles.get(name));
  }

  public LockFile with(String role, RoleLock lock) {
    SortedMap<String, RoleLock> copy = new TreeMap<>(roles);
    copy.put(role, lock);
    return new LockFile(VERSION, copy);
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this).replace("\r\n", "\n") + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes atomically (temp file + rename) so a crash never leaves half a lock. */
  public void write(Path file) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Path temp = Files.createTempFile(dir, ".herd.lock-", ".tmp");
      try {
        Files.writeString(temp, toJson(), StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
