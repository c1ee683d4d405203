package dev.herd.bake.tree;

import dev.herd.spec.Location;
import dev.herd.spec.Resource;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Builds spec resources for tests, each with a distinct location and key path. */
public final class Res {
  private int next;

  public Location loc() {
    next++;
    return new Location(Path.of("herd.yaml"), 10 + next, 9);
  }

  private String key() {
    return "roles.web.resources[" + (next - 1) + "]";
  }

  public Resource.File file(String target, String content, String mode, String owner, String group) {
    Location l = loc();
    return new Resource.File(target, Optional.of(content), Optional.empty(), mode, owner, group, l, key());
  }

  public Resource.File file(String target, String content) {
    return file(target, content, "0644", "root", "root");
  }

  public Resource.File source(String target, String source) {
    Location l = loc();
    return new Resource.File(target, Optional.empty(), Optional.of(source), "0644", "root", "root", l, key());
  }

  public Resource.Template template(String target, String source) {
    Location l = loc();
    return new Resource.Template(target, source, "0644", "root", "root", l, key());
  }

  public Resource.Directory dir(String target, String mode, String owner, String group) {
    Location l = loc();
    return new Resource.Directory(target, mode, owner, group, l, key());
  }

  public Resource.Symlink link(String target, String to) {
    Location l = loc();
    return new Resource.Symlink(target, to, l, key());
  }

  public Resource.User user(String name, Integer uid, String group, List<String> groups, boolean system) {
    Location l = loc();
    return new Resource.User(name, Optional.ofNullable(uid), Optional.ofNullable(group), groups, "", "", system, l, key());
  }

  public Resource.Group group(String name, Integer gid, boolean system) {
    Location l = loc();
    return new Resource.Group(name, Optional.ofNullable(gid), system, l, key());
  }

  public Resource.Absent absent(String target) {
    Location l = loc();
    return new Resource.Absent(target, l, key());
  }
}
