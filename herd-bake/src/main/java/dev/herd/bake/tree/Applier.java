package dev.herd.bake.tree;

import dev.herd.spec.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a role's resources to a staging tree, in order, without a shell. Each resource
 * compares before it writes, so applying twice leaves the tree as it was and the second report
 * is all {@code unchanged}. {@link #check} computes the same report without writing anything:
 * it runs the same code over a {@link SimulatedTree} and a copy of the metadata, so state
 * carries forward (a user that would be created satisfies a later directory's owner).
 */
public final class Applier {
  private static final Logger log = LoggerFactory.getLogger(Applier.class);

  private final ImageRoot root;
  private final TreeMetadata metadata;
  private final ApplyContext context;
  private final ResourceContent content;

  public Applier(ImageRoot root, TreeMetadata metadata, ApplyContext context) {
    this.root = root;
    this.metadata = metadata;
    this.context = context;
    this.content = new ResourceContent(context);
  }

  /** Applies {@code resources} to the tree and records ownership/mode in the metadata. */
  public ChangeReport apply(List<Resource> resources) {
    ChangeReport report = run(root, metadata, resources);
    log.info("resources applied to {}: {} changed, {} unchanged", root.hostDir(), report.changed().size(),
        report.changes().size() - report.changed().size());
    return report;
  }

  /** What {@link #apply} would change; the tree and the metadata are left untouched. */
  public ChangeReport check(List<Resource> resources) {
    return run(new SimulatedTree(root), metadata.copy(), resources);
  }

  private ChangeReport run(StagingTree tree, TreeMetadata meta, List<Resource> resources) {
    Run run = new Run(tree, meta);
    List<Change> changes = new ArrayList<>();
    for (Resource r : resources) {
      switch (r) {
        case Resource.File f -> run.file(f, content.bytes(f), changes);
        case Resource.Template t -> run.file(t, content.bytes(t), changes);
        case Resource.Directory d -> run.directory(d, changes);
        case Resource.Symlink s -> run.symlink(s, changes);
        case Resource.User u -> run.account(run.accounts.ensureUser(u, context.buildEpoch()), changes);
        case Resource.Group g -> run.account(run.accounts.ensureGroup(g), changes);
        case Resource.Absent a -> run.absent(a, changes);
      }
    }
    return new ChangeReport(changes);
  }

  /** One pass over one tree (real or simulated). */
  private static final class Run {
    private final StagingTree tree;
    private final TreeMetadata meta;
    private final Accounts accounts;

    Run(StagingTree tree, TreeMetadata meta) {
      this.tree = tree;
      this.meta = meta;
      this.accounts = Accounts.load(tree);
    }

    void account(Change change, List<Change> changes) {
      accounts.store(tree, meta);
      changes.add(change);
    }

    void file(Resource r, byte[] bytes, List<Change> changes) {
      Origin origin = Origin.of(r);
      String mode = r instanceof Resource.File f ? f.mode() : ((Resource.Template) r).mode();
      String owner = r instanceof Resource.File f ? f.owner() : ((Resource.Template) r).owner();
      String group = r instanceof Resource.File f ? f.group() : ((Resource.Template) r).group();
      TreeMetadata.Attributes want = attributes(mode, 0644, owner, group, origin);
      ImagePath p = tree.resolve(r.target(), PathResolver.Follow.ALL, origin);
      requireNotRoot(p, r, origin);
      createParents(p.parent(), origin, changes);
      Optional<Node> node = tree.lstat(p);
      if (node.isEmpty()) {
        tree.writeFile(p, bytes, Modes.diskMode(want.mode(), false));
        meta.put(p, want);
        changes.add(new Change(Change.Kind.CREATED, p.toString(), bytes.length + " bytes, " + want, origin));
        return;
      }
      if (!node.get().isFile()) {
        throw new TreeException(origin, p + " exists and is a " + describe(node.get()) + ", not a file (add an absent resource before this one to replace it)");
      }
      List<String> reasons = new ArrayList<>();
      byte[] current = tree.read(p, (int) Math.min(node.get().size(), ProjectFiles.MAX_SOURCE_BYTES));
      boolean contentDiffers = !java.util.Arrays.equals(current, bytes);
      if (contentDiffers) {
        reasons.add("content differs (sha256 " + Digests.shortSha256(current) + "→" + Digests.shortSha256(bytes) + ")");
      }
      TreeMetadata.Attributes have = effective(p, node.get());
      reasons.addAll(attributeDiffs(have, want));
      if (reasons.isEmpty()) {
        changes.add(new Change(Change.Kind.UNCHANGED, p.toString(), "matches", origin));
        return;
      }
      if (contentDiffers) {
        tree.writeFile(p, bytes, Modes.diskMode(want.mode(), false));
      } else {
        tree.setDiskMode(p, Modes.diskMode(want.mode(), false));
      }
      meta.put(p, want);
      changes.add(new Change(Change.Kind.UPDATED, p.toString(), String.join(", ", reasons), origin));
    }

    void directory(Resource.Directory r, List<Change> changes) {
      Origin origin = Origin.of(r);
      TreeMetadata.Attributes want = attributes(r.mode(), 0755, r.owner(), r.group(), origin);
      ImagePath p = tree.resolve(r.target(), PathResolver.Follow.ALL, origin);
      if (p.isRoot()) {
        throw new TreeException(origin, "a directory resource cannot manage / itself");
      }
      createParents(p.parent(), origin, changes);
      Optional<Node> node = tree.lstat(p);
      if (node.isEmpty()) {
        tree.createDirectory(p, Modes.diskMode(want.mode(), true));
        meta.put(p, want);
        changes.add(new Change(Change.Kind.CREATED, p.toString(), "directory, " + want, origin));
        return;
      }
      if (!node.get().isDirectory()) {
        throw new TreeException(origin, p + " exists and is a " + describe(node.get()) + ", not a directory (add an absent resource before this one to replace it)");
      }
      List<String> reasons = attributeDiffs(effective(p, node.get()), want);
      if (reasons.isEmpty()) {
        changes.add(new Change(Change.Kind.UNCHANGED, p.toString(), "matches", origin));
        return;
      }
      tree.setDiskMode(p, Modes.diskMode(want.mode(), true));
      meta.put(p, want);
      changes.add(new Change(Change.Kind.UPDATED, p.toString(), String.join(", ", reasons), origin));
    }

    void symlink(Resource.Symlink r, List<Change> changes) {
      Origin origin = Origin.of(r);
      ImagePath p = tree.resolve(r.target(), PathResolver.Follow.PARENTS_ONLY, origin);
      requireNotRoot(p, r, origin);
      String to = r.to();
      if (to == null || to.isEmpty() || to.indexOf('\0') >= 0) {
        throw new TreeException(origin, "symlink target must be a non-empty path");
      }
      // Where the link leads, resolved like the kernel would from inside the image: refused if
      // it climbs out. A dangling target inside the image (e.g. /run/...) is fine.
      String effective = to.startsWith("/") ? to : p.parent() + (p.parent().isRoot() ? "" : "/") + to;
      try {
        tree.resolve(effective, PathResolver.Follow.ALL, origin);
      } catch (TreeException e) {
        throw new TreeException(origin, "symlink " + p + " -> " + to + " leads outside the image (" + e.detail() + ")");
      }
      createParents(p.parent(), origin, changes);
      Optional<Node> node = tree.lstat(p);
      if (node.isEmpty()) {
        tree.createSymlink(p, to);
        meta.removeTree(p);
        changes.add(new Change(Change.Kind.CREATED, p.toString(), "symlink -> " + to, origin));
        return;
      }
      switch (node.get().type()) {
        case SYMLINK -> {
          String have = tree.readLink(p);
          if (have.equals(to)) {
            changes.add(new Change(Change.Kind.UNCHANGED, p.toString(), "symlink -> " + to, origin));
            return;
          }
          tree.remove(p);
          tree.createSymlink(p, to);
          changes.add(new Change(Change.Kind.UPDATED, p.toString(), "target " + have + "→" + to, origin));
        }
        case FILE -> {
          tree.remove(p);
          tree.createSymlink(p, to);
          meta.removeTree(p);
          changes.add(new Change(Change.Kind.UPDATED, p.toString(), "regular file replaced by symlink -> " + to, origin));
        }
        default -> throw new TreeException(origin, p + " exists and is a " + describe(node.get()) + ", not a symlink (add an absent resource before this one to replace it)");
      }
    }

    void absent(Resource.Absent r, List<Change> changes) {
      Origin origin = Origin.of(r);
      ImagePath p = tree.resolve(r.target(), PathResolver.Follow.PARENTS_ONLY, origin);
      requireNotRoot(p, r, origin);
      Optional<Node> node = tree.lstat(p);
      if (node.isEmpty()) {
        changes.add(new Change(Change.Kind.UNCHANGED, p.toString(), "already absent", origin));
        return;
      }
      String what = node.get().isDirectory() ? "directory with " + countBelow(p) + " entries" : describe(node.get());
      tree.remove(p);
      meta.removeTree(p);
      changes.add(new Change(Change.Kind.REMOVED, p.toString(), what, origin));
    }

    private int countBelow(ImagePath dir) {
      int n = 0;
      for (String name : tree.list(dir)) {
        ImagePath child = dir.resolve(name);
        n++;
        if (tree.lstat(child).map(Node::isDirectory).orElse(false)) {
          n += countBelow(child);
        }
      }
      return n;
    }

    /** mkdir -p for the parents of a managed path: new parents are 0755 root:root. */
    private void createParents(ImagePath dir, Origin origin, List<Change> changes) {
      List<String> names = dir.names();
      for (int i = 1; i <= names.size(); i++) {
        ImagePath q = new ImagePath(names.subList(0, i));
        Optional<Node> n = tree.lstat(q);
        if (n.isEmpty()) {
          tree.createDirectory(q, 0755);
          TreeMetadata.Attributes a = new TreeMetadata.Attributes(0, 0, 0755);
          meta.put(q, a);
          changes.add(new Change(Change.Kind.CREATED, q.toString(), "parent directory, " + a, origin));
        } else if (!n.get().isDirectory()) {
          throw new TreeException(origin, q + " is a " + describe(n.get()) + ", not a directory");
        }
      }
    }

    private TreeMetadata.Attributes effective(ImagePath p, Node node) {
      return meta.get(p).orElse(new TreeMetadata.Attributes(0, 0, node.mode()));
    }

    private TreeMetadata.Attributes attributes(String mode, int dflt, String owner, String group, Origin origin) {
      int m = Modes.parse(mode, dflt, origin);
      String o = owner == null || owner.isBlank() ? "root" : owner.strip();
      int uid = accounts.uid(o).orElseThrow(() -> new TreeException(origin,
          "owner \"" + o + "\" is not a user in the image's /etc/passwd (declare a user resource before this one, or use a numeric uid)"));
      int gid;
      if (group == null || group.isBlank()) {
        // No group declared: the owner's primary group, like chown user: does.
        gid = accounts.user(o).map(Accounts.User::gid).orElse(0);
      } else {
        String g = group.strip();
        gid = accounts.gid(g).orElseThrow(() -> new TreeException(origin,
            "group \"" + g + "\" is not a group in the image's /etc/group (declare a group resource before this one, or use a numeric gid)"));
      }
      return new TreeMetadata.Attributes(uid, gid, m);
    }

    private static List<String> attributeDiffs(TreeMetadata.Attributes have, TreeMetadata.Attributes want) {
      List<String> reasons = new ArrayList<>();
      if (have.mode() != want.mode()) {
        reasons.add("mode " + Modes.format(have.mode()) + "→" + Modes.format(want.mode()));
      }
      if (have.uid() != want.uid() || have.gid() != want.gid()) {
        reasons.add("owner " + have.uid() + ":" + have.gid() + "→" + want.uid() + ":" + want.gid());
      }
      return reasons;
    }

    private static void requireNotRoot(ImagePath p, Resource r, Origin origin) {
      if (p.isRoot()) {
        throw new TreeException(origin, "path \"" + r.target() + "\" is the image root itself");
      }
    }

    private static String describe(Node n) {
      return switch (n.type()) {
        case FILE -> "file";
        case DIRECTORY -> "directory";
        case SYMLINK -> "symlink";
        case OTHER -> "special file";
      };
    }
  }
}
