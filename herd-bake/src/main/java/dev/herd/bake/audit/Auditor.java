package dev.herd.bake.audit;

import dev.herd.bake.base.DpkgDatabase;
import dev.herd.bake.tree.Applier;
import dev.herd.bake.tree.ApplyContext;
import dev.herd.bake.tree.Change;
import dev.herd.bake.tree.ChangeReport;
import dev.herd.bake.tree.ImagePath;
import dev.herd.bake.tree.ImageRoot;
import dev.herd.bake.tree.Node;
import dev.herd.bake.tree.Origin;
import dev.herd.bake.tree.PathResolver;
import dev.herd.bake.tree.TreeException;
import dev.herd.bake.tree.TreeMetadata;
import dev.herd.spec.Base;
import dev.herd.spec.Resource;
import dev.herd.spec.Role;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audits a tree against a role: resources in check mode, the packages it asks for, and the
 * files installed packages own. Reads only: the resources run over a simulated tree, package
 * files are opened for reading without following a final symlink.
 */
public final class Auditor {
  private static final Logger log = LoggerFactory.getLogger(Auditor.class);
  private final ImageRoot root;
  private final TreeMetadata owners;
  private final ApplyContext context;

  /**
   * @param owners uid, gid and mode of the tree's paths as they really are; {@link #ownersOnDisk}
   *     reads them for a directory, a container export records them from its tar headers
   */
  public Auditor(ImageRoot root, TreeMetadata owners, ApplyContext context) {
    this.root = root;
    this.owners = owners;
    this.context = context;
  }

  public AuditReport audit(Role role) {
    List<AuditFinding> findings = new ArrayList<>();
    ChangeReport report = new Applier(root, owners, context).check(role.resources());
    Set<String> managed = new HashSet<>();
    for (Change c : report.changes()) {
      managed.add(c.subject());
      if (c.changed()) {
        findings.add(new AuditFinding(AuditFinding.Kind.RESOURCE, c.subject(), describe(c)));
      }
    }
    Optional<PackageFiles> db = PackageFiles.load(root);
    List<String> wanted = new ArrayList<>(new LinkedHashSet<>(packages(role)));
    for (String p : wanted) {
      String name = p.contains(":") ? p.substring(0, p.indexOf(':')) : p;
      boolean present = db.isPresent() && db.get().installed().stream().anyMatch(i -> i.name().equals(name)
          && (!p.contains(":") || p.endsWith(":" + i.architecture())));
      if (!present) {
        findings.add(new AuditFinding(AuditFinding.Kind.PACKAGE, "package " + p,
            db.isEmpty() ? "not installed (the tree has no dpkg database), role wants any" : "not installed, role wants any"));
      }
    }
    long files = 0;
    if (db.isPresent()) {
      List<Checked> checked = checkAll(db.get(), managed);
      for (Checked c : checked) {
        files += c.files();
        findings.addAll(c.findings());
      }
      checked.forEach(c -> findings.addAll(c.content()));
    }
    AuditReport out = new AuditReport(role.name(), findings, report.changes().size(), wanted.size(), files);
    log.info("audit of {} against role {}: {}", root.hostDir(), role.name(), out.summary());
    return out;
  }

  /** The packages a role asks for: its own and its Debian base's. */
  static List<String> packages(Role role) {
    List<String> out = new ArrayList<>();
    if (role.base() instanceof Base.Debian d) {
      out.addAll(d.packages());
    }
    out.addAll(role.packages());
    return out;
  }

  /**
   * One package's files as checked: how many, what is missing or of the wrong type, and whose
   * content differs.
   */
  private record Checked(int files, List<AuditFinding> findings, List<AuditFinding> content) {}

  private static final int THREADS = dev.herd.common.Cores.forCpuWork();
  private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[64 * 1024]);
  private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  /**
   * Checks every package on all cores, a package per task (its paths resolved, stat'ed and
   * hashed there), and returns the results in the database's order, so a report does not depend
   * on timing.
   */
  private List<Checked> checkAll(PackageFiles db, Set<String> managed) {
    List<DpkgDatabase.Entry> installed = db.installed();
    if (THREADS == 1) {
      return installed.stream().map(p -> verify(db, p, managed)).toList();
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(THREADS, r -> {
      Thread t = new Thread(r, "herd-audit");
      t.setDaemon(true);
      return t;
    });
    try {
      List<java.util.concurrent.Future<Checked>> done = new ArrayList<>(installed.size());
      for (DpkgDatabase.Entry p : installed) {
        done.add(pool.submit(() -> verify(db, p, managed)));
      }
      List<Checked> out = new ArrayList<>(done.size());
      for (java.util.concurrent.Future<Checked> f : done) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("audit interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private Checked verify(PackageFiles db, DpkgDatabase.Entry p, Set<String> managed) {
    List<AuditFinding> findings = new ArrayList<>();
    List<AuditFinding> content = new ArrayList<>();
    int checked = 0;
    String label = "package " + p.name();
    for (Map.Entry<String, String> e : db.md5sums(p).entrySet()) {
      checked++;
      checkFile(db, label, e.getKey(), e.getValue(), "", managed, findings, content);
    }
    for (Map.Entry<String, String> e : p.conffiles().entrySet()) {
      checked++;
      checkFile(db, label, e.getKey(), e.getValue(), "conffile ", managed, findings, content);
    }
    return new Checked(checked, findings, content);
  }

  private void checkFile(PackageFiles db, String label, String packaged, String md5, String what, Set<String> managed,
      List<AuditFinding> findings, List<AuditFinding> content) {
    String path = db.diverted(packaged);
    Found found = resolveCached(path);
    Optional<ImagePath> p = found.path();
    // a file the role manages is the role's to judge (its resource line says what differs)
    if (managed.contains(path) || p.isPresent() && managed.contains(p.get().toString())) {
      return;
    }
    Optional<Node> node = found.node();
    if (node.isEmpty()) {
      findings.add(new AuditFinding(AuditFinding.Kind.PACKAGE_FILE, label, what + path + " missing"));
      return;
    }
    if (!node.get().isFile()) {
      findings.add(new AuditFinding(AuditFinding.Kind.PACKAGE_FILE, label, what + path + " is a "
          + node.get().type().name().toLowerCase() + ", the package has a file"));
      return;
    }
    String have = md5(root.hostPath(p.get()));
    if (!have.equals(md5)) {
      content.add(new AuditFinding(AuditFinding.Kind.PACKAGE_FILE, label, what + path
          + " content differs (md5 " + have.substring(0, 8) + "…→" + md5.substring(0, 8) + "…)"));
    }
  }

  private final java.util.Map<String, Optional<ImagePath>> dirs = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Confined resolution with the parent directory resolved once: a full rootfs has thousands of
   * package files in a few hundred directories. A final symlink falls back to full resolution.
   */
  private Found resolveCached(String path) {
    int slash = path.lastIndexOf('/');
    String name = path.substring(slash + 1);
    if (slash <= 0 || name.isEmpty() || name.equals(".") || name.equals("..")) {
      return found(PackageFiles.resolve(root, path));
    }
    Optional<ImagePath> dir = dirs.computeIfAbsent(path.substring(0, slash), d -> PackageFiles.resolve(root, d));
    if (dir.isEmpty()) {
      return found(PackageFiles.resolve(root, path));
    }
    ImagePath child = dir.get().resolve(name);
    Optional<Node> n = root.lstat(child);
    return n.isPresent() && n.get().isSymlink() ? found(PackageFiles.resolve(root, path)) : new Found(Optional.of(child), n);
  }

  /** A package path after confined resolution, and what is there (one lstat per path). */
  private record Found(Optional<ImagePath> path, Optional<Node> node) {}

  private Found found(Optional<ImagePath> path) {
    return new Found(path, path.flatMap(root::lstat));
  }

  private static String describe(Change c) {
    return switch (c.kind()) {
      case CREATED -> "missing, role wants " + c.reason();
      case REMOVED -> "present, role wants it absent (" + c.reason() + ")";
      default -> c.reason();
    };
  }

  private static String md5(Path file) {
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      MessageDigest md = MD5.get();
      md.reset();
      byte[] buf = BUFFER.get();
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * Real owners and modes of the paths the role's resources name (and their parents), read
   * from disk, so check mode compares against what is there instead of assuming root:root.
   */
  public static TreeMetadata ownersOnDisk(ImageRoot root, List<Resource> resources) {
    TreeMetadata meta = new TreeMetadata();
    for (Resource r : resources) {
      if (r instanceof Resource.User || r instanceof Resource.Group) {
        continue;
      }
      ImagePath p;
      try {
        p = root.resolve(r.target(), r instanceof Resource.Symlink || r instanceof Resource.Absent
            ? PathResolver.Follow.PARENTS_ONLY : PathResolver.Follow.ALL, Origin.of(r));
      } catch (TreeException e) {
        continue; // the check itself reports the path's problem
      }
      for (ImagePath q = p; !q.isRoot(); q = q.parent()) {
        if (meta.get(q).isPresent()) {
          break;
        }
        Path host = root.hostPath(q);
        try {
          int uid = (Integer) Files.getAttribute(host, "unix:uid", LinkOption.NOFOLLOW_LINKS);
          int gid = (Integer) Files.getAttribute(host, "unix:gid", LinkOption.NOFOLLOW_LINKS);
          int mode = (Integer) Files.getAttribute(host, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
          meta.put(q, new TreeMetadata.Attributes(uid, gid, mode));
        } catch (java.nio.file.NoSuchFileException e) {
          // not there: check mode reports it as missing
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read the owner of " + q + " in " + root.hostDir(), e);
        }
      }
    }
    return meta;
  }
}
