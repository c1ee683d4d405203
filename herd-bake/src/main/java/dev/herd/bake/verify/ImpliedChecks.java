package dev.herd.bake.verify;

import dev.herd.bake.tree.Digests;
import dev.herd.bake.tree.Modes;
import dev.herd.bake.tree.Node;
import dev.herd.bake.tree.Origin;
import dev.herd.bake.tree.ResourceContent;
import dev.herd.spec.ImageTest;
import dev.herd.spec.Resource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The assertions a role's resources imply about the final image. When several resources
 * manage the same path or account, only the last one's check is kept (a later absent removes
 * the checks of what it deletes), because that is what the image should end up with.
 */
final class ImpliedChecks {
  /** {@code check} is a {@link FileCheck} or an {@link ImageTest} (user/group). */
  record Implied(String name, Origin origin, Object check) {}

  private ImpliedChecks() {}

  static List<Implied> from(List<Resource> resources, ResourceContent content) {
    Map<String, Resource> last = new LinkedHashMap<>();
    for (Resource r : resources) {
      String key = key(r);
      if (r instanceof Resource.Absent) {
        String prefix = key.endsWith("/") ? key : key + "/";
        last.keySet().removeIf(k -> k.equals(key) || k.startsWith(prefix));
      }
      last.remove(key); // re-insert so order follows the last declaration
      last.put(key, r);
    }
    List<Implied> out = new ArrayList<>();
    for (Resource r : last.values()) {
      out.add(implied(r, content));
    }
    return out;
  }

  /** Lexically normalized path ("path:/srv/www") or account ("user:www"). */
  private static String key(Resource r) {
    return switch (r) {
      case Resource.User u -> "user:" + u.target();
      case Resource.Group g -> "group:" + g.target();
      default -> "path:" + normalize(r.target());
    };
  }

  private static String normalize(String path) {
    List<String> names = new ArrayList<>();
    for (String n : path.split("/")) {
      if (n.isEmpty() || n.equals(".")) {
        continue;
      }
      if (n.equals("..")) {
        if (!names.isEmpty()) {
          names.removeLast();
        }
      } else {
        names.add(n);
      }
    }
    return "/" + String.join("/", names);
  }

  private static Implied implied(Resource r, ResourceContent content) {
    Origin origin = Origin.of(r);
    return switch (r) {
      case Resource.File f -> new Implied("file " + f.target(), origin, fileCheck(f.target(), Node.Type.FILE, f.mode(), 0644,
          f.owner(), f.group(), Optional.of(Digests.sha256(content.bytes(f))), origin));
      case Resource.Template t -> new Implied("template " + t.target(), origin, fileCheck(t.target(), Node.Type.FILE, t.mode(),
          0644, t.owner(), t.group(), Optional.of(Digests.sha256(content.bytes(t))), origin));
      case Resource.Directory d -> new Implied("directory " + d.target(), origin, fileCheck(d.target(), Node.Type.DIRECTORY,
          d.mode(), 0755, d.owner(), d.group(), Optional.empty(), origin));
      case Resource.Symlink s -> new Implied("symlink " + s.target(), origin, new FileCheck(s.target(), true,
          Optional.of(Node.Type.SYMLINK), Optional.empty(), Optional.empty(), Optional.empty(), List.of(), Optional.empty(),
          Optional.of(s.to())));
      case Resource.Absent a -> new Implied("absent " + a.target(), origin, FileCheck.absent(a.target()));
      case Resource.User u -> new Implied("user " + u.target(), origin, new ImageTest.User(u.target(), true,
          u.uid().map(OptionalInt::of).orElse(OptionalInt.empty()), u.group(), r.location(), r.keyPath()));
      case Resource.Group g -> new Implied("group " + g.target(), origin, new ImageTest.Group(g.target(), true,
          g.gid().map(OptionalInt::of).orElse(OptionalInt.empty()), r.location(), r.keyPath()));
    };
  }

  private static FileCheck fileCheck(String path, Node.Type type, String mode, int dflt, String owner, String group,
      Optional<String> sha256, Origin origin) {
    String o = owner == null || owner.isBlank() ? "root" : owner.strip();
    // Without a declared group the applier used the owner's primary group; the check then
    // leaves the group alone rather than guess it again.
    Optional<String> g = group == null || group.isBlank() ? Optional.empty() : Optional.of(group.strip());
    return new FileCheck(path, true, Optional.of(type), Optional.of(Modes.parse(mode, dflt, origin)), Optional.of(o), g,
        List.of(), sha256, Optional.empty());
  }
}
