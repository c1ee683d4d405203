package dev.herd.server;

import dev.herd.bake.BakeException;
import dev.herd.bake.BakeListener;
import dev.herd.bake.BakeRequest;
import dev.herd.bake.BakeResult;
import dev.herd.bake.Baker;
import dev.herd.spec.Fleet;
import dev.herd.spec.ImageRef;
import dev.herd.spec.Spec;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Apply's images with baking: every role a fleet runs at {@code image: latest} is baked first
 * (a role whose inputs did not change is a cache hit and mints no new version), then each
 * fleet's image is resolved in the catalog like {@link CatalogImages} does.
 */
public final class BakedImages implements RoleImages {
  private static final Logger log = LoggerFactory.getLogger(BakedImages.class);
  private final Baker baker;
  private final Path stateDir;
  private final CatalogImages resolve;
  /** One bake at a time in this process (apply's and an operator's); a lock, not a monitor, for virtual threads. */
  private final java.util.concurrent.locks.ReentrantLock baking = new java.util.concurrent.locks.ReentrantLock();

  public BakedImages(Baker baker, Path stateDir, CatalogImages resolve) {
    this.baker = baker;
    this.stateDir = stateDir;
    this.resolve = resolve;
  }

  @Override
  public java.util.Optional<dev.herd.image.catalog.Catalog> catalog() {
    return resolve.catalog();
  }

  @Override
  public java.util.Optional<byte[]> sbom(dev.herd.image.oci.Digest manifest) {
    return resolve.sbom(manifest);
  }

  /** An operator's `herd bake` through this controller, one bake at a time with apply's. */
  @Override
  public java.util.Optional<Bakery> bakery() {
    return java.util.Optional.of(this::bake);
  }

  private BakeResult bake(Spec spec, String role, boolean locked, BakeListener listener) {
    baking.lock();
    try {
      return baker.bake(new BakeRequest(spec, role, stateDir, locked, Optional.empty()), listener);
    } finally {
      baking.unlock();
    }
  }

  @Override
  public Map<String, String> imagesFor(Spec spec) {
    TreeSet<String> roles = new TreeSet<>();
    for (Fleet f : spec.fleets().values()) {
      // Pinned images (channel, version, digest) are chosen by the operator; only latest follows the spec.
      if (f.image() instanceof ImageRef.Latest) {
        roles.add(f.role());
      }
    }
    for (String role : roles) {
      MDC.put("role", role);
      try {
        BakeResult r = bake(spec, role, false, BakeListener.NONE);
        log.info("role {}: {}", role, r.line());
      } catch (BakeException e) {
        throw new Unavailable("bake of role " + role + " failed: " + e.getMessage(), e);
      } finally {
        MDC.remove("role");
      }
    }
    return resolve.imagesFor(spec);
  }
}
