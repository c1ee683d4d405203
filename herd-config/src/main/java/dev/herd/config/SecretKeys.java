package dev.herd.config;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.herd.common.files.PrivateFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The AEAD keyset (Tink, AES256-GCM) that encrypts secrets at rest: from the environment variable
 * {@value #ENV} (the keyset JSON, exactly as herd writes {@code keys/secrets.json}) or from the
 * file {@code <stateDir>/keys/secrets.json} (dir 0700, file 0600), created on first use. A keyset
 * may hold several keys: the primary encrypts, any of them decrypts (Tink prefixes each ciphertext
 * with its key's id), which is what makes rotation possible without a window of unreadable data.
 */
final class SecretKeys {
  static final String ENV = "HERD_SECRETS_KEY";
  static final String DIR = "keys";
  static final String FILE = "secrets.json";

  static {
    try {
      AeadConfig.register();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final KeysetHandle handle;
  private final Aead aead;
  /** Null when the keyset comes from {@value #ENV}. */
  private final Path file;

  private SecretKeys(KeysetHandle handle, Path file) throws GeneralSecurityException {
    this.handle = handle;
    this.aead = handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
    this.file = file;
  }

  static Path fileIn(Path stateDir) {
    return stateDir.toAbsolutePath().normalize().resolve(DIR).resolve(FILE);
  }

  /**
   * The keyset from {@value #ENV} if set, else from the key file.
   *
   * @param mayCreate whether a missing key file may be created (false when encrypted secrets
   *     already exist: a new key could not read them)
   */
  static SecretKeys load(Path stateDir, Map<String, String> environment, boolean mayCreate) {
    String fromEnv = environment.get(ENV);
    if (fromEnv != null) {
      try {
        return new SecretKeys(TinkJsonProtoKeysetFormat.parseKeyset(fromEnv, InsecureSecretKeyAccess.get()), null);
      } catch (GeneralSecurityException | RuntimeException e) {
        // The message of a parse error may quote the input: do not pass it on.
        throw new ConfigException(ConfigException.Kind.KEY, ENV + " is set but is not a Tink JSON keyset (the contents of"
            + " a herd keys/" + FILE + " file)");
      }
    }
    Path f = fileIn(stateDir);
    try {
      if (!Files.exists(f)) {
        if (!mayCreate) {
          throw new ConfigException(ConfigException.Kind.KEY, "the secrets key " + f + " is missing but herd.db holds"
              + " encrypted secrets; restore the key file (or set " + ENV + "). herd will not create a new key: it"
              + " could not decrypt them");
        }
        createFirst(f);
      }
      checkMode(f);
      String json = Files.readString(f, StandardCharsets.UTF_8);
      return new SecretKeys(TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get()), f);
    } catch (IOException e) {
      throw new ConfigException(ConfigException.Kind.KEY, "cannot read the secrets key " + f + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new ConfigException(ConfigException.Kind.KEY, "the secrets key " + f + " is not a valid Tink keyset", e);
    }
  }

  private static void createFirst(Path f) throws IOException, GeneralSecurityException {
    createPrivateDir(f.getParent());
    KeysetHandle h = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
    Path tmp = writeTemp(f, h);
    try {
      // link(2) fails if the file exists: two processes creating at once end up with one key.
      Files.createLink(f, tmp);
      fsyncDir(f.getParent());
    } catch (FileAlreadyExistsException raced) {
      // someone else created it; use theirs
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void createPrivateDir(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      PrivateFiles.openStateDir(dir.getParent());
      try {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (FileAlreadyExistsException raced) {
        // fine
      }
    }
    // umask cannot widen, but a directory made by someone else might be open: close it.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
  }

  /** Like ssh with a private key: a key readable by others is refused, not silently used. */
  private static void checkMode(Path f) throws IOException {
    Set<PosixFilePermission> p = Files.getPosixFilePermissions(f);
    for (PosixFilePermission bad : List.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE)) {
      if (p.contains(bad)) {
        throw new ConfigException(ConfigException.Kind.KEY, "the secrets key " + f + " is accessible by others (mode "
            + PosixFilePermissions.toString(p) + "); run chmod 600 " + f);
      }
    }
  }

  /** A 0600 temp file next to {@code f} holding the keyset, flushed to disk. */
  private static Path writeTemp(Path f, KeysetHandle h) throws IOException, GeneralSecurityException {
    Path tmp = f.resolveSibling("." + FILE + "." + UUID.randomUUID() + ".tmp");
    byte[] bytes = TinkJsonProtoKeysetFormat.serializeKeyset(h, InsecureSecretKeyAccess.get()).getBytes(StandardCharsets.UTF_8);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(bytes));
      ch.force(true);
    }
    return tmp;
  }

  private static void fsyncDir(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** Replaces the key file with {@code h} by rename(2): readers see the old or the new keyset, never half. */
  private SecretKeys replaceWith(KeysetHandle h) {
    try {
      Path tmp = writeTemp(file, h);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      fsyncDir(file.getParent());
      return new SecretKeys(h, file);
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(ConfigException.Kind.KEY, "cannot write the secrets key " + file + ": " + e.getMessage(), e);
    }
  }

  Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  int primaryId() {
    return handle.getPrimary().getId();
  }

  List<Integer> keyIds() {
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < handle.size(); i++) {
      ids.add(handle.getAt(i).getId());
    }
    return ids;
  }

  /** Step 1 of rotation: the keyset plus a new key, made primary, written before any use. */
  SecretKeys withNewPrimary() {
    requireFile();
    try {
      KeysetHandle h = KeysetHandle.newBuilder(handle)
          .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM).withRandomId().makePrimary())
          .build();
      return replaceWith(h);
    } catch (GeneralSecurityException e) {
      throw new ConfigException(ConfigException.Kind.KEY, "cannot generate a new secrets key: " + e.getMessage(), e);
    }
  }

  /** Last step of rotation: only the primary key is kept. */
  SecretKeys withPrimaryOnly() {
    requireFile();
    try {
      KeysetHandle.Builder b = KeysetHandle.newBuilder(handle);
      for (int i = b.size() - 1; i >= 0; i--) {
        if (!b.getAt(i).isPrimary()) {
          b.deleteAt(i);
        }
      }
      return replaceWith(b.build());
    } catch (GeneralSecurityException e) {
      throw new ConfigException(ConfigException.Kind.KEY, "cannot drop the old secrets keys: " + e.getMessage(), e);
    }
  }

  private void requireFile() {
    if (file == null) {
      throw new ConfigException(ConfigException.Kind.KEY, "the secrets key comes from " + ENV + ", which herd cannot"
          + " rewrite: rotate with a key file instead (unset " + ENV + ", put its value in keys/" + FILE + " with mode 0600)");
    }
  }

  byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
    return aead.encrypt(plaintext, associatedData);
  }

  byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
    return aead.decrypt(ciphertext, associatedData);
  }

  /** Where the keys come from, for messages. */
  String describe() {
    return file == null ? ENV : file.toString();
  }
}
