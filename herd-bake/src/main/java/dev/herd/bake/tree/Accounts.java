package dev.herd.bake.tree;

import dev.herd.spec.Resource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * The image's account databases (/etc/passwd, /etc/group, /etc/shadow, /etc/gshadow), edited
 * the way a careful human would: existing lines and their order are kept byte for byte, new
 * entries are appended, ids are allocated deterministically (lowest free id in the system range
 * 100-999 or the user range 1000-59999) and shadow entries are locked ({@code !}) with a
 * last-change day taken from the build epoch, so the same input gives the same bytes.
 */
public final class Accounts {
  static final int SYSTEM_MIN = 100;
  static final int SYSTEM_MAX = 999;
  static final int USER_MIN = 1000;
  static final int USER_MAX = 59999;
  private static final int MAX_BYTES = 16 << 20;

  /** One colon-separated database; unparsed lines (comments, blanks) are kept as they are. */
  static final class Table {
    final String imagePath;
    final int fieldCount;
    final boolean existed;
    final List<String> lines;
    boolean dirty;

    Table(String imagePath, int fieldCount, Optional<byte[]> content) {
      this.imagePath = imagePath;
      this.fieldCount = fieldCount;
      this.existed = content.isPresent();
      this.lines = new ArrayList<>();
      if (content.isPresent()) {
        String text = new String(content.get(), StandardCharsets.UTF_8);
        for (String line : text.split("\n", -1)) {
          lines.add(line);
        }
        if (!lines.isEmpty() && lines.getLast().isEmpty()) {
          lines.removeLast(); // the final newline, restored on write
        }
      }
    }

    Optional<String[]> find(String name) {
      int i = indexOf(name);
      return i < 0 ? Optional.empty() : Optional.of(fields(lines.get(i)));
    }

    int indexOf(String name) {
      for (int i = 0; i < lines.size(); i++) {
        String l = lines.get(i);
        if (l.startsWith(name + ":")) {
          return i;
        }
      }
      return -1;
    }

    String[] fields(String line) {
      String[] f = line.split(":", -1);
      return f.length >= fieldCount ? f : Arrays.copyOf(padded(f), fieldCount);
    }

    private String[] padded(String[] f) {
      String[] p = Arrays.copyOf(f, fieldCount);
      for (int i = f.length; i < fieldCount; i++) {
        p[i] = "";
      }
      return p;
    }

    List<String[]> entries() {
      List<String[]> out = new ArrayList<>();
      for (String l : lines) {
        if (!l.isBlank() && !l.startsWith("#") && l.indexOf(':') > 0) {
          out.add(fields(l));
        }
      }
      return out;
    }

    void put(String name, String[] fields) {
      String line = String.join(":", fields);
      int i = indexOf(name);
      if (i < 0) {
        lines.add(line);
        dirty = true;
      } else if (!lines.get(i).equals(line)) {
        lines.set(i, line);
        dirty = true;
      }
    }

    byte[] bytes() {
      StringBuilder sb = new StringBuilder();
      for (String l : lines) {
        sb.append(l).append('\n');
      }
      return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
  }

  /** A parsed /etc/passwd entry. */
  public record User(String name, int uid, int gid, String home, String shell) {}

  /** A parsed /etc/group entry. */
  public record Group(String name, int gid, List<String> members) {}

  private final Table passwd;
  private final Table group;
  private final Table shadow;
  private final Table gshadow;

  private Accounts(Table passwd, Table group, Table shadow, Table gshadow) {
    this.passwd = passwd;
    this.group = group;
    this.shadow = shadow;
    this.gshadow = gshadow;
  }

  /** Reads the four databases from the tree (missing files are empty). */
  public static Accounts load(StagingTree tree) {
    return new Accounts(
        table(tree, "/etc/passwd", 7), table(tree, "/etc/group", 4), table(tree, "/etc/shadow", 9), table(tree, "/etc/gshadow", 4));
  }

  private static Table table(StagingTree tree, String path, int fields) {
    ImagePath p = tree.resolve(path, PathResolver.Follow.ALL, new Origin(dev.herd.spec.Location.UNKNOWN, path));
    return new Table(path, fields, tree.readIfFile(p, MAX_BYTES));
  }

  public Optional<User> user(String name) {
    return passwd.find(name).map(f -> new User(f[0], parseId(f[2]), parseId(f[3]), f[5], f[6]));
  }

  public Optional<Group> group(String name) {
    return group.find(name).map(f -> new Group(f[0], parseId(f[2]), members(f[3])));
  }

  public Optional<Group> groupById(int gid) {
    return group.entries().stream().filter(f -> parseId(f[2]) == gid).findFirst().map(f -> new Group(f[0], gid, members(f[3])));
  }

  public Optional<User> userById(int uid) {
    return passwd.entries().stream().filter(f -> parseId(f[2]) == uid).findFirst().map(f -> user(f[0]).orElseThrow());
  }

  /** uid of a user name or a numeric id; "root" is 0 even in an image without /etc/passwd. */
  public OptionalInt uid(String owner) {
    if (owner.chars().allMatch(Character::isDigit) && !owner.isEmpty()) {
      return OptionalInt.of(Integer.parseInt(owner));
    }
    Optional<User> u = user(owner);
    if (u.isPresent()) {
      return OptionalInt.of(u.get().uid());
    }
    return owner.equals("root") ? OptionalInt.of(0) : OptionalInt.empty();
  }

  /** gid of a group name or a numeric id; "root" is 0 even in an image without /etc/group. */
  public OptionalInt gid(String name) {
    if (name.chars().allMatch(Character::isDigit) && !name.isEmpty()) {
      return OptionalInt.of(Integer.parseInt(name));
    }
    Optional<Group> g = group(name);
    if (g.isPresent()) {
      return OptionalInt.of(g.get().gid());
    }
    return name.equals("root") ? OptionalInt.of(0) : OptionalInt.empty();
  }

  /** Ensures a group exists with the declared gid. */
  public Change ensureGroup(Resource.Group r) {
    Origin origin = Origin.of(r);
    String name = validName(r.target(), origin);
    String subject = "group " + name;
    Optional<Group> existing = group(name);
    if (existing.isPresent()) {
      int have = existing.get().gid();
      if (r.gid().isEmpty() || r.gid().get() == have) {
        return new Change(Change.Kind.UNCHANGED, subject, "exists (gid " + have + ")", origin);
      }
      int want = r.gid().get();
      requireFreeGid(want, name, origin);
      String[] f = group.find(name).orElseThrow();
      f[2] = Integer.toString(want);
      group.put(name, f);
      return new Change(Change.Kind.UPDATED, subject, "gid " + have + "→" + want, origin);
    }
    int gid;
    if (r.gid().isPresent()) {
      gid = r.gid().get();
      requireFreeGid(gid, name, origin);
    } else {
      gid = lowestFree(r.system(), this::gidUsed, "gid", origin);
    }
    addGroup(name, gid);
    return new Change(Change.Kind.CREATED, subject, "gid " + gid, origin);
  }

  /**
   * Ensures a user exists with the declared uid, primary group, home and shell, and is a member
   * of the declared supplementary groups (memberships the base already had are kept). Without a
   * declared primary group a group named like the user is used or created, with gid = uid when
   * that gid is free.
   */
  public Change ensureUser(Resource.User r, Instant buildEpoch) {
    Origin origin = Origin.of(r);
    String name = validName(r.target(), origin);
    String subject = "user " + name;
    String home = blankOr(r.home(), r.system() ? "/nonexistent" : "/home/" + name);
    String shell = blankOr(r.shell(), r.system() ? "/usr/sbin/nologin" : "/bin/sh");
    checkField(home, "home", origin);
    checkField(shell, "shell", origin);
    List<String> notes = new ArrayList<>();
    Optional<User> existing = user(name);
    Change.Kind kind;
    if (existing.isEmpty()) {
      int uid;
      if (r.uid().isPresent()) {
        uid = r.uid().get();
        requireFreeUid(uid, name, origin);
      } else {
        uid = lowestFree(r.system(), this::uidUsed, "uid", origin);
      }
      int gid = primaryGid(r, name, uid, origin, notes);
      passwd.put(name, new String[] {name, "x", Integer.toString(uid), Integer.toString(gid), "", home, shell});
      notes.addFirst("uid " + uid + ", gid " + gid + ", home " + home + ", shell " + shell);
      kind = Change.Kind.CREATED;
    } else {
      User u = existing.get();
      String[] f = passwd.find(name).orElseThrow();
      if (r.uid().isPresent() && r.uid().get() != u.uid()) {
        requireFreeUid(r.uid().get(), name, origin);
        f[2] = Integer.toString(r.uid().get());
        notes.add("uid " + u.uid() + "→" + r.uid().get());
      }
      if (r.group().isPresent()) {
        int gid = resolveGroup(r.group().get(), origin);
        if (gid != u.gid()) {
          f[3] = Integer.toString(gid);
          notes.add("gid " + u.gid() + "→" + gid);
        }
      }
      if (!home.equals(u.home())) {
        f[5] = home;
        notes.add("home " + u.home() + "→" + home);
      }
      if (!shell.equals(u.shell())) {
        f[6] = shell;
        notes.add("shell " + u.shell() + "→" + shell);
      }
      passwd.put(name, f);
      kind = notes.isEmpty() ? Change.Kind.UNCHANGED : Change.Kind.UPDATED;
    }
    List<String> added = new ArrayList<>();
    for (String g : r.groups()) {
      if (addMember(g, name, origin)) {
        added.add(g);
      }
    }
    if (!added.isEmpty()) {
      notes.add("added to " + String.join(",", added));
      kind = kind == Change.Kind.UNCHANGED ? Change.Kind.UPDATED : kind;
    }
    if (shadow.find(name).isEmpty()) {
      shadow.put(name, new String[] {name, "!", Long.toString(epochDay(buildEpoch)), "0", "99999", "7", "", "", ""});
      if (kind != Change.Kind.CREATED) {
        kind = Change.Kind.UPDATED;
        notes.add("locked /etc/shadow entry added");
      }
    }
    String reason = kind == Change.Kind.UNCHANGED ? "exists (uid " + existing.get().uid() + ")" : String.join("; ", notes);
    return new Change(kind, subject, reason, origin);
  }

  private int primaryGid(Resource.User r, String name, int uid, Origin origin, List<String> notes) {
    if (r.group().isPresent()) {
      return resolveGroup(r.group().get(), origin);
    }
    Optional<Group> own = group(name);
    if (own.isPresent()) {
      return own.get().gid();
    }
    int gid = gidUsed(uid) ? lowestFree(r.system(), this::gidUsed, "gid", origin) : uid;
    addGroup(name, gid);
    notes.add("group " + name + " created (gid " + gid + ")");
    return gid;
  }

  private int resolveGroup(String g, Origin origin) {
    return gid(g).orElseThrow(() -> new TreeException(origin, "group \"" + g + "\" does not exist in the image's /etc/group (declare a group resource before this user)"));
  }

  private boolean addMember(String groupName, String user, Origin origin) {
    String[] f = group.find(groupName).orElseThrow(() -> new TreeException(origin, "supplementary group \"" + groupName + "\" does not exist in the image's /etc/group"));
    List<String> members = members(f[3]);
    if (members.contains(user)) {
      return false;
    }
    Set<String> next = new LinkedHashSet<>(members);
    next.add(user);
    f[3] = String.join(",", next);
    group.put(groupName, f);
    String[] gs = gshadow.find(groupName).orElse(new String[] {groupName, "!", "", ""});
    Set<String> gsMembers = new LinkedHashSet<>(members(gs[3]));
    gsMembers.add(user);
    gs[3] = String.join(",", gsMembers);
    gshadow.put(groupName, gs);
    return true;
  }

  private void addGroup(String name, int gid) {
    group.put(name, new String[] {name, "x", Integer.toString(gid), ""});
    if (gshadow.find(name).isEmpty()) {
      gshadow.put(name, new String[] {name, "!", "", ""});
    }
  }

  /** Writes the databases that changed; new files get root-owned modes (shadow 0640 root:shadow). */
  public void store(StagingTree tree, TreeMetadata metadata) {
    int shadowGid = group("shadow").map(Group::gid).orElse(0);
    write(tree, metadata, passwd, new TreeMetadata.Attributes(0, 0, 0644));
    write(tree, metadata, group, new TreeMetadata.Attributes(0, 0, 0644));
    write(tree, metadata, shadow, new TreeMetadata.Attributes(0, shadowGid, 0640));
    write(tree, metadata, gshadow, new TreeMetadata.Attributes(0, shadowGid, 0640));
  }

  private static void write(StagingTree tree, TreeMetadata metadata, Table t, TreeMetadata.Attributes fresh) {
    if (!t.dirty) {
      return;
    }
    Origin origin = new Origin(dev.herd.spec.Location.UNKNOWN, t.imagePath);
    ImagePath p = tree.resolve(t.imagePath, PathResolver.Follow.ALL, origin);
    ImagePath etc = p.parent();
    if (tree.lstat(etc).isEmpty()) {
      tree.createDirectory(etc, 0755);
      metadata.put(etc, new TreeMetadata.Attributes(0, 0, 0755));
    }
    Optional<Node> node = tree.lstat(p);
    if (node.isPresent()) {
      tree.writeFile(p, t.bytes(), node.get().mode());
    } else {
      tree.writeFile(p, t.bytes(), Modes.diskMode(fresh.mode(), false));
      metadata.put(p, fresh);
    }
    t.dirty = false;
  }

  private boolean uidUsed(int id) {
    return passwd.entries().stream().anyMatch(f -> parseId(f[2]) == id);
  }

  private boolean gidUsed(int id) {
    return group.entries().stream().anyMatch(f -> parseId(f[2]) == id);
  }

  private void requireFreeUid(int uid, String name, Origin origin) {
    userById(uid).filter(u -> !u.name().equals(name)).ifPresent(u -> {
      throw new TreeException(origin, "uid " + uid + " is already used by user \"" + u.name() + "\"");
    });
  }

  private void requireFreeGid(int gid, String name, Origin origin) {
    groupById(gid).filter(g -> !g.name().equals(name)).ifPresent(g -> {
      throw new TreeException(origin, "gid " + gid + " is already used by group \"" + g.name() + "\"");
    });
  }

  private static int lowestFree(boolean system, IntPredicate used, String what, Origin origin) {
    int min = system ? SYSTEM_MIN : USER_MIN;
    int max = system ? SYSTEM_MAX : USER_MAX;
    for (int id = min; id <= max; id++) {
      if (!used.test(id)) {
        return id;
      }
    }
    throw new TreeException(origin, "no free " + what + " in " + min + "-" + max);
  }

  /** Days since 1970-01-01 of the build epoch: /etc/shadow's "last change" without today's date. */
  static long epochDay(Instant buildEpoch) {
    return Duration.ofSeconds(buildEpoch.getEpochSecond()).toDays();
  }

  private static List<String> members(String field) {
    if (field == null || field.isBlank()) {
      return List.of();
    }
    return Arrays.stream(field.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private static int parseId(String s) {
    try {
      return Integer.parseInt(s.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String validName(String name, Origin origin) {
    // The shadow-utils rule (NAME_REGEX), which also keeps ':' and newlines out of the files.
    if (name == null || !name.matches("[a-z_][a-z0-9_.-]{0,30}\\$?")) {
      throw new TreeException(origin, "account name \"" + name + "\" is not valid (lowercase letters, digits, _ . -; at most 32 characters)");
    }
    return name;
  }

  private static void checkField(String value, String what, Origin origin) {
    if (value.indexOf(':') >= 0 || value.indexOf('\n') >= 0 || !value.startsWith("/")) {
      throw new TreeException(origin, what + " \"" + value + "\" must be an absolute path without ':' or newlines");
    }
  }

  private static String blankOr(String value, String dflt) {
    return value == null || value.isBlank() ? dflt : value;
  }
}
