package dev.herd.bake.base;

import dev.herd.image.archive.ImageImporter;
import dev.herd.image.archive.ImportLimits;
import dev.herd.image.archive.SourceFormat;
import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageException;
import dev.herd.image.oci.ImageStore;
import dev.herd.image.registry.Credentials;
import dev.herd.image.registry.RegistryAccess;
import dev.herd.image.registry.RegistryClient;
import dev.herd.image.registry.RegistryRef;
import dev.herd.spec.Base;
import dev.herd.spec.Registry;
import dev.herd.spec.Spec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Bases from a registry ({@code base: {image: {ref: lab/shop/base:1}}}). The tag is resolved to
 * a digest, which herd.lock pins ({@code --locked} refuses a tag that moved); the image is pulled
 * by that digest into the store with the pull's checks (so it is cached by digest: a second bake
 * fetches nothing when the manifest is a single-platform one) and unpacked into the base tree.
 */
public final class RegistryBases {
  private final ImageStore store;
  private final RegistryClient client;
  private final Function<Registry, Credentials> logins;

  /**
   * @param logins credentials for a registry that declares {@code credentials:} (what herd login
   *     stored), or null for none
   */
  public RegistryBases(ImageStore store, RegistryClient client, Function<Registry, Credentials> logins) {
    this.store = store;
    this.client = client;
    this.logins = logins;
  }

  /** What a registry base resolved to: the lock pin ({@code REF@sha256:...}) and the pulled manifest. */
  public record Prepared(String pin, Digest manifest, boolean lockChanged) {}

  public Prepared prepare(Spec spec, String role, Base.Registry base, Optional<String> lockedPin, boolean locked, Path rootfs) {
    String text = base.ref();
    Registry declared = null;
    int slash = text.indexOf('/');
    if (slash > 0 && spec.registries().containsKey(text.substring(0, slash))) {
      declared = spec.registries().get(text.substring(0, slash));
      text = declared.host() + text.substring(slash);
    }
    RegistryRef ref = RegistryRef.parse(text);
    if (declared == null) {
      declared = spec.registries().values().stream().filter(r -> r.host().equals(ref.host())).findFirst().orElse(null);
    }
    RegistryAccess access = declared == null ? RegistryAccess.anonymous(ref)
        : new RegistryAccess(declared.host(), declared.plainHttp(), declared.ca().map(spec::resolve).orElse(null),
            declared.credentials().isPresent() && logins != null ? logins.apply(declared) : null);

    Optional<Digest> pinned = lockedPin.filter(p -> p.startsWith(base.ref() + "@"))
        .map(p -> Digest.parse(p.substring(base.ref().length() + 1)));
    if (locked && pinned.isEmpty()) {
      throw new LockMismatchException("role " + role + ": herd.lock pins no digest for base " + base.ref()
          + " (run herd bake without --locked to pin it)", java.util.List.of(base.ref() + ": not pinned"));
    }
    Digest now = client.resolve(ref, access);
    if (locked && !now.equals(pinned.get())) {
      throw new LockMismatchException("role " + role + ": base " + base.ref() + " moved: herd.lock pins " + pinned.get()
          + ", the registry now has " + now + " (run herd bake without --locked to take it)",
          java.util.List.of(base.ref() + ": " + pinned.get() + " -> " + now));
    }
    RegistryClient.Pulled pulled = client.pull(ref.withDigest(now), access, store, ImportLimits.DEFAULT);
    Path layout = rootfs.resolveSibling(rootfs.getFileName() + "-layout");
    try {
      RegistryClient.linkLayout(store, pulled.manifest().digest(), layout, "base");
      ImageImporter.unpack(layout, SourceFormat.OCI_LAYOUT, "base", rootfs, base.allowDevices(), ImportLimits.DEFAULT);
    } catch (ImageException e) {
      throw new BaseBuildException("role " + role + ": base " + base.ref() + ": " + e.getMessage());
    } finally {
      deleteTree(layout);
    }
    String pin = base.ref() + "@" + now;
    return new Prepared(pin, pulled.manifest().digest(), !lockedPin.equals(Optional.of(pin)));
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover layout of hard links costs no space; the bake's work dir is removed anyway
    }
  }
}
