package dev.herd.server;

import dev.herd.control.ApplyResult;
import dev.herd.control.Controller;
import dev.herd.control.config.ConfigDelivery;
import dev.herd.control.DesiredState;
import dev.herd.server.api.Api;
import dev.herd.spec.Spec;
import dev.herd.spec.SpecError;
import dev.herd.spec.SpecLoader;
import dev.herd.spec.SpecResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The project the server was started on: apply re-reads its herd.yaml from disk (the server owns
 * the project directory, so clients send no spec), gets each role's image and hands the desired
 * state to the controller.
 */
public final class SpecApplier {
  private static final Logger log = LoggerFactory.getLogger(SpecApplier.class);

  private final Path specFile;
  private final RoleImages images;
  private final Controller controller;
  // One apply at a time: two concurrent bakes of the same role would only waste work.
  private final ReentrantLock applying = new ReentrantLock();

  private final ConfigDelivery delivery;

  public SpecApplier(Path specFile, RoleImages images, Controller controller) {
    this(specFile, images, controller, null);
  }

  /** With the config service: releases pin config and secret revisions (docs/config.md). */
  public SpecApplier(Path specFile, RoleImages images, Controller controller, ConfigDelivery delivery) {
    this.delivery = delivery;
    this.specFile = specFile.toAbsolutePath().normalize();
    this.images = Objects.requireNonNull(images, "images");
    this.controller = Objects.requireNonNull(controller, "controller");
  }

  private volatile java.util.function.Consumer<Spec> onApplied = spec -> {};

  /** Told about each spec applied (the autoscaler reads its fleets' settings from it); listeners add up. */
  public void onApplied(java.util.function.Consumer<Spec> listener) {
    java.util.Objects.requireNonNull(listener, "listener");
    java.util.function.Consumer<Spec> before = this.onApplied;
    this.onApplied = before.andThen(listener);
  }

  /** The one environment whose fleets this controller runs ({@code herd up -e ENV}), or null for all. */
  private volatile String environment;

  /** Runs only the fleets of {@code env} from now on (herd up -e ENV); set before the first apply. */
  public void onlyEnvironment(String env) {
    this.environment = Objects.requireNonNull(env, "env");
  }

  /** The engine this controller drives (herd up chose it from herd.yaml); set by the first load when not pinned. */
  private volatile dev.herd.spec.EngineTarget engine;

  /**
   * Pins the engine the controller drives: a herd.yaml that moves its fleets to another engine
   * (local ↔ cluster, another namespace) is refused on apply; herd up must be restarted for it.
   */
  public void pinEngine(dev.herd.spec.EngineTarget target) {
    this.engine = Objects.requireNonNull(target, "target");
  }

  /** Where apply gets its images (the dashboard reads the catalog and SBOMs through it). */
  public RoleImages images() {
    return images;
  }

  public Path specFile() {
    return specFile;
  }

  public Api.Changes apply() {
    return run(true);
  }

  /** What apply would change; roles may be baked (images are cached by content), no node changes. */
  public Api.Changes plan() {
    return run(false);
  }

  private Api.Changes run(boolean write) {
    applying.lock();
    try {
      Spec spec = load();
      List<String> host = controller.frontDoorProblems(spec).stream().map(SpecError::render).toList();
      if (!host.isEmpty()) {
        throw new ApiError(422, "the front door cannot listen where " + specFile.getFileName() + " says (" + host.size()
            + (host.size() == 1 ? " problem" : " problems") + "); nothing was changed", host);
      }
      Map<String, String> digests;
      try {
        digests = images.imagesFor(spec);
      } catch (RoleImages.Unavailable e) {
        throw new ApiError(422, e.getMessage());
      }
      DesiredState desired;
      try {
        desired = DesiredState.of(spec, digests);
      } catch (IllegalArgumentException e) {
        throw new ApiError(422, e.getMessage());
      }
      if (delivery != null) {
        try {
          desired = delivery.pin(spec, desired);
        } catch (dev.herd.config.ConfigException e) {
          throw new ApiError(422, e.getMessage());
        }
        if (write) {
          delivery.spec(spec);
        }
      }
      ApplyResult result;
      try {
        result = write ? controller.apply(desired) : controller.plan(desired);
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new ApiError(422, e.getMessage());
      }
      if (write) {
        log.info("applied {}: {}", specFile, result.changed() ? summary(result) : "no changes");
        onApplied.accept(spec);
      }
      return Views.changes(result, write);
    } finally {
      applying.unlock();
    }
  }

  /** The image catalog, when this controller has one (the consistency view reads it). */
  public java.util.Optional<dev.herd.image.catalog.Catalog> catalog() {
    return images.catalog();
  }

  /**
   * Revokes an image and acts on the fleets running it ({@link dev.herd.control.ImageRevocation}),
   * under the apply lock so that no apply resolves images halfway through.
   */
  public java.util.List<dev.herd.control.ImageRevocation.Decision> revoke(dev.herd.image.catalog.ImageRef ref, String reason,
      boolean force) {
    dev.herd.image.catalog.Catalog catalog = images.catalog()
        .orElseThrow(() -> new ApiError(409, "this controller has no image catalog to revoke in"));
    applying.lock();
    try {
      return dev.herd.control.ImageRevocation.revoke(controller, catalog, load(), ref, reason, force);
    } finally {
      applying.unlock();
    }
  }

  /** herd.yaml as it is on disk now; {@link ApiError} 422 when it is invalid. */
  public Spec loadSpec() {
    return load();
  }

  private Spec load() {
    SpecResult loaded = SpecLoader.load(specFile);
    if (loaded instanceof SpecResult.Loaded l) {
      Spec spec = l.spec();
      String only = environment;
      if (only != null) {
        try {
          spec = spec.onlyEnvironment(only);
        } catch (IllegalArgumentException e) {
          throw new ApiError(422, specFile.getFileName() + ": " + e.getMessage() + "; nothing was changed", List.of());
        }
      }
      if (spec.engineRefusal().isPresent()) {
        throw new ApiError(422, spec.engineRefusal().get() + "; nothing was changed", List.of());
      }
      dev.herd.spec.EngineTarget wanted = spec.engineTarget();
      dev.herd.spec.EngineTarget running = engine;
      if (running == null) {
        engine = wanted;
      } else if (!running.sameEngine(wanted) && !spec.fleets().isEmpty()) {
        throw new ApiError(422, specFile.getFileName() + " now runs its fleets on " + wanted.describe() + ", but this controller"
            + " drives " + running.describe() + ": stop herd up and start it again to switch engines; nothing was changed",
            List.of());
      }
      return spec;
    }
    throw ApiError.invalidSpec(specFile, loaded.errors(), "nothing was changed");
  }

  private static String summary(ApplyResult r) {
    return String.join("; ", r.fleets().stream()
        .filter(f -> f.kind() != dev.herd.control.FleetChange.Kind.UNCHANGED)
        .map(f -> f.fleet() + " " + f.kind().name().toLowerCase()).toList());
  }
}
