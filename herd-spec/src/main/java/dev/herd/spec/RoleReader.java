package dev.herd.spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Reads one checked {@code roles.NAME} map into a {@link Role}, reporting cross-key problems. */
final class RoleReader extends Binding {
  RoleReader(Problems problems, java.nio.file.Path dir) {
    super(problems, dir);
  }

  Optional<Role> read(String name, Fields r, Location at) {
    Base base = base(r.obj("base"));
    List<String> packages = r.strings("packages");
    if (!packages.isEmpty() && !(base instanceof Base.Debian)) {
      error(r, "packages", "extra packages need a debian base");
    }
    List<Resource> resources = resources(r);
    List<RunStep> run = runSteps(r);
    List<String> command = r.strings("command");
    if (!r.written("command") && !(base instanceof Base.Image) && !(base instanceof Base.Registry)) {
      problems.add(r.keyLoc(), r.path(), "missing required key \"command\" (a scratch or debian base has no command of its own)");
    }
    Optional<Health> health = r.optObj("health").flatMap(this::health);
    Optional<Reload> reload =
        r.optObj("reload").map(f -> new Reload(f.choice("signal", Reload.Signal.class), f.keyLoc()));
    List<ImageTest> tests = tests(r);
    SecretScan scan = secretScan(r.obj("secret_scan"));
    Limits limits = limits(r.obj("limits"));
    Map<String, String> vars = r.texts("vars");
    Map<String, String> env = r.texts("env");
    List<String> writable = r.strings("writable");
    Map<String, String> launch = r.texts("launch");
    Optional<String> user = r.optString("user");
    Optional<String> workdir = r.optString("workdir");
    return guard(at, r.path(), () -> new Role(name, base, packages, vars, resources, run, command, user, workdir,
        env, writable, health, launch, tests, scan, limits, reload, at));
  }

  private Base base(Fields b) {
    b.obj("scratch");
    if (b.has("debian")) {
      Fields d = b.obj("debian");
      return new Base.Debian(d.string("suite"), d.choice("variant", Base.Variant.class), d.string("mirror"),
          d.strings("packages"), b.keyLocOf("debian"));
    }
    if (b.has("image") && !b.obj("image").written("path")) {
      Fields i = b.obj("image");
      if (i.written("format")) {
        error(i, "format", "format goes with path (an image file); a registry image (ref alone) needs none");
      }
      if (!i.has("ref")) {
        problems.add(b.locOf("image"), i.path(), "needs path (an image file or layout) or ref (a registry image like lab/shop/base:1)");
      } else if (!i.string("ref").matches("[A-Za-z0-9.:\\[\\]-]+/[^\\s]+")) {
        error(i, "ref", "expected a registry image REGISTRY/REPO[:TAG] (REGISTRY a key of registries or a host), got \"" + i.string("ref") + "\"");
      }
      return new Base.Registry(i.has("ref") ? i.string("ref") : "", i.bool("allow_devices"), b.keyLocOf("image"));
    }
    if (b.has("image")) {
      Fields i = b.obj("image");
      if (!i.written("format")) {
        problems.add(b.locOf("image"), i.path(), "needs format with path (oci-layout, oci-archive or docker-archive)");
        return new Base.Scratch(b.keyLocOf("image"));
      }
      Base.ImageFormat format = i.choice("format", Base.ImageFormat.class);
      checkSource(i, "path", true);
      i.optString("path").ifPresent(p -> {
        boolean isDir = java.nio.file.Files.isDirectory(dir.resolve(p));
        if (java.nio.file.Files.exists(dir.resolve(p)) && isDir != (format == Base.ImageFormat.OCI_LAYOUT)) {
          error(i, "path", p + (isDir ? " is a directory; only format oci-layout is a directory"
              : " is a file; format oci-layout is a directory (use oci-archive or docker-archive for a file)"));
        }
      });
      return new Base.Image(i.string("path"), format, i.optString("ref"), i.bool("allow_devices"), b.keyLocOf("image"));
    }
    return new Base.Scratch(b.keyLocOf("scratch"));
  }

  private List<Resource> resources(Fields r) {
    List<Resource> out = new ArrayList<>();
    Map<String, Fields> seen = new HashMap<>();
    for (Val v : r.items("resources")) {
      Fields f = (Fields) v;
      String kind = f.variantKind();
      String target = f.string(kind);
      String identity = switch (kind) {
        case "user", "group" -> kind + " " + target;
        default -> "path " + target;
      };
      Fields first = seen.putIfAbsent(identity, f);
      if (first != null && f.has(kind)) {
        problems.add(f.loc(), f.path(), (kind.equals("user") || kind.equals("group") ? kind + " " + target : target)
            + " is already declared at " + first.path() + " (line " + first.loc().line() + ")");
      }
      Location at = f.loc();
      String kp = f.path();
      Optional<Resource> res = switch (kind) {
        case "group" -> guard(at, kp, () -> new Resource.Group(target, optInt(f, "gid"), f.bool("system"), at, kp));
        case "user" -> guard(at, kp, () -> new Resource.User(target, optInt(f, "uid"), f.optString("group"),
            f.strings("groups"), f.string("home"), f.string("shell"), f.bool("system"), at, kp));
        case "directory" -> guard(at, kp, () -> new Resource.Directory(target, mode(f), f.string("owner"), f.string("group"), at, kp));
        case "template" -> {
          checkSource(f, "source", false);
          yield guard(at, kp, () -> new Resource.Template(target, f.string("source"), mode(f), f.string("owner"), f.string("group"), at, kp));
        }
        case "file" -> {
          checkSource(f, "source", false);
          yield guard(at, kp, () -> new Resource.File(target, f.optString("content"), f.optString("source"), mode(f),
              f.string("owner"), f.string("group"), at, kp));
        }
        case "symlink" -> {
          String to = f.string("to");
          if (f.has("to") && !staysInImage(target, to)) {
            error(f, "to", "the link leads outside the image: " + Texts.quote(to));
          }
          yield guard(at, kp, () -> new Resource.Symlink(target, to, at, kp));
        }
        case "absent" -> {
          if (target.equals("/")) {
            error(f, "absent", "cannot remove the root directory");
          }
          yield guard(at, kp, () -> new Resource.Absent(target, at, kp));
        }
        default -> throw new IllegalStateException("herd bug: resource kind " + kind);
      };
      res.ifPresent(out::add);
    }
    return out;
  }

  private static String mode(Fields f) {
    return f.get("mode", Mode.class, new Mode(0644)).toString();
  }

  private static Optional<Integer> optInt(Fields f, String key) {
    return f.optLong(key).map(Long::intValue);
  }

  /** Whether a link at {@code link} pointing to {@code to} resolves inside the image root. */
  static boolean staysInImage(String link, String to) {
    if (to.isEmpty() || to.indexOf('\0') >= 0) {
      return false;
    }
    String start = to.startsWith("/") ? "" : link.substring(0, Math.max(0, link.lastIndexOf('/')));
    int depth = 0;
    for (String part : (start + "/" + to).split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      depth += part.equals("..") ? -1 : 1;
      if (depth < 0) {
        return false;
      }
    }
    return true;
  }

  private List<RunStep> runSteps(Fields r) {
    List<RunStep> out = new ArrayList<>();
    Map<String, Fields> names = new HashMap<>();
    int i = 0;
    for (Val v : r.items("run")) {
      Fields f = (Fields) v;
      String name = f.optString("name").orElse("run[" + i + "]");
      Fields first = names.putIfAbsent(name, f);
      if (first != null) {
        error(f, "name", "step name " + Texts.quote(name) + " is already used at " + first.path());
      }
      Duration timeout = f.duration("timeout");
      if (timeout.isZero()) {
        error(f, "timeout", "must be more than 0");
      }
      guard(f.loc(), f.path(), () -> new RunStep(name, f.string("shell"), f.bool("network"), timeout, f.loc(), f.path()))
          .ifPresent(out::add);
      i++;
    }
    return out;
  }

  private Optional<Health> health(Fields h) {
    boolean isHttp = h.has("http");
    boolean isCommand = h.has("command");
    Health.Check check;
    if (isHttp) {
      Fields http = h.obj("http");
      String path = http.string("path");
      if (!path.startsWith("/")) {
        error(http, "path", "must start with /, got " + Texts.quote(path));
        path = "/";
      }
      check = new Health.Http(path, http.integer("status"));
    } else if (isCommand) {
      check = new Health.Command(h.strings("command"));
    } else {
      h.obj("tcp");
      check = new Health.Tcp();
    }
    Duration interval = h.duration("interval");
    Duration timeout = h.duration("timeout");
    if (interval.isZero()) {
      error(h, "interval", "must be more than 0");
    } else if (timeout.isZero()) {
      error(h, "timeout", "must be more than 0");
    } else if (timeout.compareTo(interval) >= 0) {
      error(h, "timeout", "must be less than interval (" + Durations.format(interval) + "), got " + Durations.format(timeout));
    }
    return guard(h.keyLoc(), h.path(), () -> new Health(check, interval, timeout, h.duration("start_grace"),
        h.integer("failure_threshold"), h.keyLoc()));
  }

  private List<ImageTest> tests(Fields r) {
    List<ImageTest> out = new ArrayList<>();
    for (Val v : r.items("tests")) {
      Fields f = (Fields) v;
      Location at = f.loc();
      String kp = f.path();
      Optional<ImageTest> t = switch (f.variantKind()) {
        case "file" -> guard(at, kp, () -> new ImageTest.File(f.string("file"), f.bool("exists"),
            f.opt("mode", Mode.class).map(Mode::toString), f.optString("owner"), f.optString("group"),
            f.strings("contains"), f.optString("sha256"), at, kp));
        case "package" -> guard(at, kp, () -> new ImageTest.Package(f.string("package"), f.bool("installed"),
            f.optString("version"), at, kp));
        case "user" -> guard(at, kp, () -> new ImageTest.User(f.string("user"), f.bool("exists"),
            optInt(f, "uid").map(OptionalInt::of).orElse(OptionalInt.empty()), f.optString("group"), at, kp));
        case "group" -> guard(at, kp, () -> new ImageTest.Group(f.string("group"), f.bool("exists"),
            optInt(f, "gid").map(OptionalInt::of).orElse(OptionalInt.empty()), at, kp));
        case "command" -> guard(at, kp, () -> new ImageTest.Command(f.strings("command"), f.integer("exit_status"),
            f.strings("stdout"), at, kp));
        default -> throw new IllegalStateException("herd bug: test kind " + f.variantKind());
      };
      t.ifPresent(out::add);
    }
    return out;
  }

  private SecretScan secretScan(Fields s) {
    List<SecretScan.Allow> allow = new ArrayList<>();
    for (Val v : s.items("allow")) {
      Fields a = (Fields) v;
      if (a.has("reason") && a.string("reason").isBlank()) {
        error(a, "reason", "must say why this is not a secret");
      }
      guard(a.loc(), a.path(), () -> new SecretScan.Allow(a.string("path"), a.strings("rules"), a.string("reason"), a.loc()))
          .ifPresent(allow::add);
    }
    return new SecretScan(allow);
  }
}
