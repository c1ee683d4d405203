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

  /** Told about each spec applied (the autoscaler reads its fleets' settings from it). */
  public void onApplied(java.util.function.Consumer<Spec> listener) {
    this.onApplied = java.util.Objects.requireNonNull(listener, "listener");
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
      return l.spec();
    }
    List<String> details = loaded.errors().stream().map(SpecError::render).toList();
    throw new ApiError(422, specFile.getFileName() + " is invalid (" + details.size()
        + (details.size() == 1 ? " error" : " errors") + "); nothing was changed", details);
  }

  private static String summary(ApplyResult r) {
    return String.join("; ", r.fleets().stream()
        .filter(f -> f.kind() != dev.herd.control.FleetChange.Kind.UNCHANGED)
        .map(f -> f.fleet() + " " + f.kind().name().toLowerCase()).toList());
  }
}
