package dev.herd.server;

import dev.herd.bake.base.PackageUpdates;
import dev.herd.bake.base.RoleUpdates;
import dev.herd.control.Controller;
import dev.herd.control.FleetStatus;
import dev.herd.image.catalog.CatalogImage;
import dev.herd.spec.Fleet;
import dev.herd.spec.Rebake;
import dev.herd.spec.Role;
import dev.herd.spec.Spec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scheduled rebakes ({@code roles.NAME.rebake}): on each role's schedule, compares the image its
 * fleets run with the mirror; when an update the role asks for applies, bakes, then applies
 * herd.yaml so that fleets following {@code latest} get a new release rolled out with their own
 * strategy (canary, health gates, auto-rollback). Never bakes from a herd.yaml with uncommitted
 * edits: it says so instead. Every step is a {@code rebake} event on the role's fleets.
 */
public final class Rebaker {
  private static final Logger log = LoggerFactory.getLogger(Rebaker.class);

  /** What is installed vs available for the image a role runs. */
  @FunctionalInterface
  public interface Checks {
    RoleUpdates.Check check(Spec spec, Role role, CatalogImage image);
  }

  /** Bakes a role; returns the image ref (web:8). */
  @FunctionalInterface
  public interface Bakes {
    String bake(Spec spec, String role);
  }

  /** Uncommitted local edits of the spec, described ("herd.yaml modified"), or empty when clean or not in git. */
  @FunctionalInterface
  public interface Worktree {
    Optional<String> uncommitted(Spec spec);
  }

  private final SpecApplier applier;
  private final Controller controller;
  private final dev.herd.image.catalog.Catalog catalog;
  private final Checks checks;
  private final Bakes bakes;
  private final Worktree worktree;
  private final Clock clock;
  private final Map<String, Instant> lastCheck = new HashMap<>();

  public Rebaker(SpecApplier applier, Controller controller, dev.herd.image.catalog.Catalog catalog, Checks checks, Bakes bakes,
      Worktree worktree, Clock clock) {
    this.applier = applier;
    this.controller = controller;
    this.catalog = catalog;
    this.checks = checks;
    this.bakes = bakes;
    this.worktree = worktree;
    this.clock = clock;
  }

  /**
   * Uncommitted edits of tracked files in the spec's directory, per {@code git status}; empty
   * when clean, when the directory is not in a git work tree, or when git is not installed.
   */
  public static Optional<String> gitUncommitted(Spec spec) {
    try {
      Process p = new ProcessBuilder("git", "-C", spec.dir().toString(), "status", "--porcelain", "--untracked-files=no", "--", ".")
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0 || out.isBlank()) {
        p.destroyForcibly();
        return Optional.empty();
      }
      List<String> files = out.lines().map(l -> l.length() > 3 ? l.substring(3) : l).toList();
      return Optional.of("uncommitted edits in git (" + String.join(", ", files.stream().limit(5).toList())
          + (files.size() > 5 ? " and " + (files.size() - 5) + " more" : "") + ")");
    } catch (java.io.IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Runs {@link #runDue} every {@code tick} on a daemon thread until the returned handle is closed. */
  public AutoCloseable schedule(java.time.Duration tick) {
    java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "herd-rebake");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(() -> {
      try {
        runDue();
      } catch (RuntimeException e) {
        log.warn("scheduled rebake check failed: {}", e.getMessage());
      }
    }, 0, tick.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    return timer::shutdownNow;
  }

  /** The updates that call for a rebake under {@code rebake.on}: all for base_update, security ones for security_updates. */
  public static List<PackageUpdates.Update> wanted(Rebake rebake, List<PackageUpdates.Update> updates) {
    if (rebake.on().contains(Rebake.Trigger.BASE_UPDATE)) {
      return updates;
    }
    return updates.stream().filter(PackageUpdates.Update::security).toList();
  }

  /** Checks every role whose schedule is due (the first check is right away); returns the images baked. */
  public synchronized List<String> runDue() {
    Spec spec = applier.loadSpec();
    Instant now = clock.instant();
    List<String> baked = new ArrayList<>();
    for (Role role : spec.roles().values()) {
      if (role.rebake().isEmpty()) {
        continue;
      }
      Instant last = lastCheck.get(role.name());
      if (last != null && last.plus(role.rebake().get().every()).isAfter(now)) {
        continue;
      }
      try {
        Optional<CatalogImage> running = running(spec, role.name());
        if (running.isEmpty()) {
          // not a check: `herd up` schedules before its first apply, so the fleet is checked at the
          // next tick once it runs, not a whole `every` later
          log.debug("rebake of role {}: no fleet runs an image of it yet", role.name());
          continue;
        }
        lastCheck.put(role.name(), now);
        check(spec, role, role.rebake().get(), running.get()).ifPresent(baked::add);
      } catch (RuntimeException e) {
        lastCheck.put(role.name(), now);
        // a mirror down or a failed bake: say so on the fleets and try at the next due time
        say(spec, role.name(), "rebake of role " + role.name() + " failed: " + e.getMessage());
      }
    }
    return baked;
  }

  private Optional<String> check(Spec spec, Role role, Rebake rebake, CatalogImage current) {
    Optional<CatalogImage> running = Optional.of(current);
    RoleUpdates.Check check = checks.check(spec, role, running.get());
    if (check.notChecked().isPresent()) {
      say(spec, role.name(), "rebake of role " + role.name() + ": packages not checked: " + check.notChecked().get());
      return Optional.empty();
    }
    List<PackageUpdates.Update> wanted = wanted(rebake, check.updates());
    if (wanted.isEmpty()) {
      log.info("rebake of role {}: {} is current ({} update(s) not asked for)", role.name(), running.get().ref(),
          check.updates().size());
      return Optional.empty();
    }
    Optional<String> dirty = worktree.uncommitted(spec);
    if (dirty.isPresent()) {
      say(spec, role.name(), "rebake of role " + role.name() + " skipped: " + dirty.get() + " (it would take "
          + describe(wanted) + "); commit or revert the edits, it is retried at the next check");
      return Optional.empty();
    }
    String image = bakes.bake(spec, role.name());
    say(spec, role.name(), image + " baked: " + describe(wanted));
    applier.apply();
    return Optional.of(image);
  }

  private static String describe(List<PackageUpdates.Update> updates) {
    return String.join(", ", updates.stream().map(PackageUpdates.Update::toString).toList());
  }

  /** The image the role's fleets run now (the newest one when they differ). */
  private Optional<CatalogImage> running(Spec spec, String role) {
    CatalogImage best = null;
    for (FleetStatus f : controller.status()) {
      if (f.deleted() || !role.equals(f.role())) {
        continue;
      }
      for (dev.herd.control.ReleaseInfo r : controller.releases(f.fleet())) {
        if (r.id().equals(f.currentRelease())) {
          try {
            CatalogImage img = catalog.find(dev.herd.image.catalog.ImageRef.parse(role + "@" + r.image()));
            if (best == null || img.version() > best.version()) {
              best = img;
            }
          } catch (RuntimeException notInCatalog) {
            log.debug("fleet {} runs {}, not in the catalog", f.fleet(), r.image());
          }
        }
      }
    }
    return Optional.ofNullable(best);
  }

  private void say(Spec spec, String role, String message) {
    log.info("{}", message);
    for (Fleet f : spec.fleets().values()) {
      if (f.role().equals(role)) {
        try {
          controller.rebakeEvent(f.name(), message);
        } catch (java.util.NoSuchElementException notRunning) {
          log.debug("fleet {} not running: {}", f.name(), message);
        }
      }
    }
  }
}
