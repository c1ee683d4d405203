package dev.herd.bake.verify;

import dev.herd.bake.base.DebianVersion;
import dev.herd.bake.base.DpkgDatabase;
import dev.herd.bake.tree.Accounts;
import dev.herd.bake.tree.Digests;
import dev.herd.bake.tree.ImagePath;
import dev.herd.bake.tree.ImageRoot;
import dev.herd.bake.tree.Modes;
import dev.herd.bake.tree.Node;
import dev.herd.bake.tree.Origin;
import dev.herd.bake.tree.PathResolver;
import dev.herd.bake.tree.ResourceContent;
import dev.herd.bake.tree.TreeException;
import dev.herd.bake.tree.TreeMetadata;
import dev.herd.spec.ImageTest;
import dev.herd.spec.Resource;
import dev.herd.spec.Role;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates a role's image tests against the final staged tree, plus the checks implied by
 * its resources (a file resource implies the file exists with that content, mode and owner;
 * an absent resource implies the path is absent; ...), so a run step that undoes a resource
 * fails the bake. Ownership and modes are read from the {@link TreeMetadata} the layer writer
 * will use, i.e. what the image will really contain.
 */
public final class ImageVerifier {
  private static final Logger log = LoggerFactory.getLogger(ImageVerifier.class);
  private static final int MAX_READ = 64 << 20;

  private final ImageRoot root;
  private final TreeMetadata metadata;
  private final ResourceContent content;
  private final Optional<CommandRunner> runner;
  private Accounts accounts;
  private DpkgDatabase dpkg;

  /**
   * @param content renders the expected bytes of file/template resources (same as the applier)
   * @param runner runs {@code command} tests; empty when no sandbox is available (those tests fail)
   */
  public ImageVerifier(ImageRoot root, TreeMetadata metadata, ResourceContent content, Optional<CommandRunner> runner) {
    this.root = root;
    this.metadata = metadata;
    this.content = content;
    this.runner = runner;
  }

  public VerifyReport verify(Role role) {
    return verify(role.name(), role.resources(), role.tests());
  }

  public VerifyReport verify(String roleName, List<Resource> resources, List<ImageTest> tests) {
    accounts = Accounts.load(root);
    dpkg = null;
    List<TestResult> results = new ArrayList<>();
    for (ImageTest t : tests) {
      results.add(evaluate(t));
    }
    for (ImpliedChecks.Implied i : ImpliedChecks.from(resources, content)) {
      results.add(switch (i.check()) {
        case FileCheck f -> file(i.name(), f, i.origin(), true);
        case ImageTest t -> relabel(evaluate(t), i.name(), i.origin());
        default -> throw new IllegalStateException("unknown implied check " + i.check());
      });
    }
    VerifyReport report = new VerifyReport(roleName, results);
    log.info("image tests of role {}: {} passed, {} failed", roleName, results.size() - report.failures().size(),
        report.failures().size());
    return report;
  }

  private static TestResult relabel(TestResult r, String name, Origin origin) {
    return new TestResult(name, origin, true, r.passed(), r.expected(), r.found());
  }

  private TestResult evaluate(ImageTest test) {
    Origin origin = Origin.of(test);
    return switch (test) {
      case ImageTest.File f -> file("file " + f.path(), new FileCheck(f.path(), f.exists(), Optional.empty(),
          f.mode().map(m -> Modes.parse(m, 0, origin)), f.owner(), f.group(), f.contains(), f.sha256(), Optional.empty()),
          origin, false);
      case ImageTest.Package p -> pkg(p, origin);
      case ImageTest.User u -> user(u, origin);
      case ImageTest.Group g -> group(g, origin);
      case ImageTest.Command c -> command(c, origin);
    };
  }

  /** Collects mismatches as "expected" and "found" halves joined with "; ". */
  private static final class Mismatches {
    final List<String> expected = new ArrayList<>();
    final List<String> found = new ArrayList<>();

    void add(String e, String f) {
      expected.add(e);
      found.add(f);
    }

    TestResult result(String name, Origin origin, boolean implied) {
      return expected.isEmpty()
          ? TestResult.pass(name, origin, implied)
          : TestResult.fail(name, origin, implied, String.join("; ", expected), String.join("; ", found));
    }
  }

  private TestResult file(String name, FileCheck c, Origin origin, boolean implied) {
    boolean noFollow = !c.exists() || c.type().filter(t -> t == Node.Type.SYMLINK).isPresent();
    ImagePath p;
    try {
      p = root.resolve(c.path(), noFollow ? PathResolver.Follow.PARENTS_ONLY : PathResolver.Follow.ALL, origin);
    } catch (TreeException e) {
      return TestResult.fail(name, origin, implied, c.exists() ? "present" : "absent", e.detail());
    }
    Optional<Node> node = root.lstat(p);
    if (!c.exists()) {
      return node.isEmpty() ? TestResult.pass(name, origin, implied)
          : TestResult.fail(name, origin, implied, "absent", "present (" + describe(node.get()) + ")");
    }
    if (node.isEmpty()) {
      return TestResult.fail(name, origin, implied, "present", "absent");
    }
    Node n = node.get();
    Mismatches m = new Mismatches();
    if (c.type().isPresent() && c.type().get() != n.type()) {
      m.add(describe(c.type().get()), describe(n));
      return m.result(name, origin, implied);
    }
    if (c.linkTarget().isPresent()) {
      String have = root.readLink(p);
      if (!have.equals(c.linkTarget().get())) {
        m.add("symlink -> " + c.linkTarget().get(), "symlink -> " + have);
      }
    }
    TreeMetadata.Attributes attrs = metadata.get(p).orElse(new TreeMetadata.Attributes(0, 0, n.mode()));
    c.mode().filter(want -> want != attrs.mode()).ifPresent(want -> m.add("mode " + Modes.format(want), "mode " + Modes.format(attrs.mode())));
    c.owner().ifPresent(o -> {
      OptionalInt want = accounts.uid(o);
      if (want.isEmpty()) {
        m.add("owner " + o, "no user " + o + " in /etc/passwd (file owned by " + userLabel(attrs.uid()) + ")");
      } else if (want.getAsInt() != attrs.uid()) {
        m.add("owner " + userLabel(want.getAsInt()), "owner " + userLabel(attrs.uid()));
      }
    });
    c.group().ifPresent(g -> {
      OptionalInt want = accounts.gid(g);
      if (want.isEmpty()) {
        m.add("group " + g, "no group " + g + " in /etc/group (file group " + groupLabel(attrs.gid()) + ")");
      } else if (want.getAsInt() != attrs.gid()) {
        m.add("group " + groupLabel(want.getAsInt()), "group " + groupLabel(attrs.gid()));
      }
    });
    if (!c.contains().isEmpty() || c.sha256().isPresent()) {
      if (!n.isFile()) {
        m.add("a regular file", describe(n));
        return m.result(name, origin, implied);
      }
      byte[] data = root.read(p, MAX_READ);
      String text = new String(data, StandardCharsets.UTF_8);
      for (String s : c.contains()) {
        if (!text.contains(s)) {
          m.add("content containing \"" + s + "\"", "no such text");
        }
      }
      c.sha256().ifPresent(want -> {
        String have = Digests.sha256(data);
        if (!have.equalsIgnoreCase(want.strip())) {
          m.add("sha256 " + want.strip(), "sha256 " + have);
        }
      });
    }
    return m.result(name, origin, implied);
  }

  private TestResult pkg(ImageTest.Package t, Origin origin) {
    String name = "package " + t.name();
    DpkgDatabase db = dpkg();
    Optional<DpkgDatabase.Entry> p = db.installed(t.name());
    if (!t.installed()) {
      return p.isEmpty() ? TestResult.pass(name, origin, false)
          : TestResult.fail(name, origin, false, "not installed", "installed " + p.get().version());
    }
    if (p.isEmpty()) {
      String found = db.any(t.name()).map(x -> "status \"" + x.status() + "\"").orElse("not installed");
      return TestResult.fail(name, origin, false, "installed" + t.version().map(v -> " " + v).orElse(""), found);
    }
    if (t.version().isPresent() && !sameVersion(t.version().get(), p.get().version())) {
      return TestResult.fail(name, origin, false, "version " + t.version().get(), "version " + p.get().version());
    }
    return TestResult.pass(name, origin, false);
  }

  private DpkgDatabase dpkg() {
    if (dpkg == null) {
      dpkg = DpkgDatabase.read(root).orElseGet(() -> DpkgDatabase.parse(Optional.empty(), new TreeMap<>()));
    }
    return dpkg;
  }

  /** Debian's ordering decides equality ({@code 0:1.0} is {@code 1.0}); text that is no version compares as text. */
  private static boolean sameVersion(String want, String have) {
    try {
      return DebianVersion.compare(want, have) == 0;
    } catch (IllegalArgumentException e) {
      return want.strip().equals(have);
    }
  }

  private TestResult user(ImageTest.User t, Origin origin) {
    String name = "user " + t.name();
    Optional<Accounts.User> u = accounts.user(t.name());
    if (!t.exists()) {
      return u.isEmpty() ? TestResult.pass(name, origin, false)
          : TestResult.fail(name, origin, false, "absent", "present (uid " + u.get().uid() + ")");
    }
    if (u.isEmpty()) {
      return TestResult.fail(name, origin, false, "present in /etc/passwd", "absent");
    }
    Mismatches m = new Mismatches();
    if (t.uid().isPresent() && t.uid().getAsInt() != u.get().uid()) {
      m.add("uid " + t.uid().getAsInt(), "uid " + u.get().uid());
    }
    t.group().ifPresent(g -> {
      OptionalInt want = accounts.gid(g);
      if (want.isEmpty() || want.getAsInt() != u.get().gid()) {
        m.add("primary group " + g, "primary group " + groupLabel(u.get().gid()));
      }
    });
    return m.result(name, origin, false);
  }

  private TestResult group(ImageTest.Group t, Origin origin) {
    String name = "group " + t.name();
    Optional<Accounts.Group> g = accounts.group(t.name());
    if (!t.exists()) {
      return g.isEmpty() ? TestResult.pass(name, origin, false)
          : TestResult.fail(name, origin, false, "absent", "present (gid " + g.get().gid() + ")");
    }
    if (g.isEmpty()) {
      return TestResult.fail(name, origin, false, "present in /etc/group", "absent");
    }
    if (t.gid().isPresent() && t.gid().getAsInt() != g.get().gid()) {
      return TestResult.fail(name, origin, false, "gid " + t.gid().getAsInt(), "gid " + g.get().gid());
    }
    return TestResult.pass(name, origin, false);
  }

  private TestResult command(ImageTest.Command t, Origin origin) {
    String name = "command " + String.join(" ", t.command());
    if (runner.isEmpty()) {
      return TestResult.fail(name, origin, false, "exit status " + t.exitStatus(), "not run: no sandbox to run command tests in");
    }
    CommandRunner.Result r;
    try {
      r = runner.get().run(root.hostDir(), t.command(), CommandRunner.DEFAULT_TIMEOUT);
    } catch (CommandRunner.CommandException e) {
      return TestResult.fail(name, origin, false, "exit status " + t.exitStatus(), "not run: " + e.getMessage());
    }
    Mismatches m = new Mismatches();
    if (r.exitStatus() != t.exitStatus()) {
      m.add("exit status " + t.exitStatus(), "exit status " + r.exitStatus() + stderrTail(r.stderr()));
    }
    for (String s : t.stdoutContains()) {
      if (!r.stdout().contains(s)) {
        m.add("stdout containing \"" + s + "\"", "stdout " + abbreviate(r.stdout()));
      }
    }
    return m.result(name, origin, false);
  }

  private static String stderrTail(String stderr) {
    String s = stderr.strip();
    return s.isEmpty() ? "" : " (stderr: " + abbreviate(s) + ")";
  }

  private static String abbreviate(String s) {
    String one = s.strip().replace("\n", "\\n");
    return "\"" + (one.length() > 200 ? one.substring(0, 200) + "…" : one) + "\"";
  }

  private String userLabel(int uid) {
    return accounts.userById(uid).map(u -> u.name() + " (" + uid + ")").orElse(Integer.toString(uid));
  }

  private String groupLabel(int gid) {
    return accounts.groupById(gid).map(g -> g.name() + " (" + gid + ")").orElse(Integer.toString(gid));
  }

  private static String describe(Node n) {
    return describe(n.type());
  }

  private static String describe(Node.Type t) {
    return switch (t) {
      case FILE -> "regular file";
      case DIRECTORY -> "directory";
      case SYMLINK -> "symlink";
      case OTHER -> "special file";
    };
  }
}
