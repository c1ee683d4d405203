package dev.herd.image.archive;

import dev.herd.image.oci.Descriptor;
import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageException;
import dev.herd.image.oci.ImageStore;
import dev.herd.image.oci.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The numeric uid/gid an image's {@code User} runs as, resolved the way a container runtime
 * does: {@code name}, {@code uid}, {@code name:group} or {@code uid:gid}; a name is looked up in
 * the image's own /etc/passwd (its primary group too) and /etc/group, read from the topmost
 * layer that has the file; empty is root. herd needs the numbers to give a node's secrets and
 * /etc/herd files to the user that reads them.
 */
public record ImageUser(int uid, int gid) {
  public static final ImageUser ROOT = new ImageUser(0, 0);
  private static final String PASSWD = "etc/passwd";
  private static final String GROUP = "etc/group";
  /** /etc/passwd and /etc/group are small; a larger one is not read into memory. */
  private static final long MAX_ACCOUNT_FILE = 4L << 20;

  public ImageUser {
    if (uid < 0 || gid < 0) {
      throw new IllegalArgumentException("uid and gid must be >= 0, got " + uid + ":" + gid);
    }
  }

  /** The user of the image with manifest {@code manifest} in {@code store}. */
  public static ImageUser of(ImageStore store, Digest manifest) {
    Manifest m = store.manifest(manifest);
    String user = store.config(m).user();
    return resolve(user == null ? "" : user, () -> accountFiles(store, m), "image " + manifest);
  }

  /** Reads the image's account files only when a name needs them. */
  @FunctionalInterface
  interface AccountFiles {
    Map<String, String> read();
  }

  static ImageUser resolve(String user, AccountFiles files, String what) {
    String u = user.strip();
    if (u.isEmpty()) {
      return ROOT;
    }
    int colon = u.indexOf(':');
    String name = colon < 0 ? u : u.substring(0, colon);
    String group = colon < 0 ? null : u.substring(colon + 1);
    Map<String, String> f = null;
    Integer uid = number(name);
    Integer gid = group == null ? null : number(group);
    Integer primary = null;
    if (uid == null || gid == null) {
      f = files.read();
      List<String[]> passwd = entries(f.get(PASSWD));
      for (String[] e : passwd) {
        if (e.length >= 4 && (uid == null ? e[0].equals(name) : number(e[2]) != null && number(e[2]).equals(uid))) {
          uid = uid == null ? number(e[2]) : uid;
          primary = number(e[3]);
          break;
        }
      }
      if (uid == null) {
        throw new ImageException(what + ": its user " + name + " is not in the image's /etc/passwd");
      }
    }
    if (group == null) {
      gid = primary == null ? 0 : primary; // a uid without a passwd entry runs with gid 0, as in Docker and Podman
    } else if (gid == null) {
      for (String[] e : entries(f.get(GROUP))) {
        if (e.length >= 3 && e[0].equals(group)) {
          gid = number(e[2]);
          break;
        }
      }
      if (gid == null) {
        throw new ImageException(what + ": its group " + group + " is not in the image's /etc/group");
      }
    }
    return new ImageUser(uid, gid);
  }

  private static Integer number(String s) {
    if (s == null || s.isEmpty() || s.length() > 10 || !s.chars().allMatch(Character::isDigit)) {
      return null;
    }
    long v = Long.parseLong(s);
    return v <= Integer.MAX_VALUE ? (int) v : null;
  }

  private static List<String[]> entries(String text) {
    if (text == null) {
      return List.of();
    }
    return text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).map(l -> l.split(":", -1)).toList();
  }

  /** etc/passwd and etc/group from the topmost layer holding each (a whiteout hides lower ones). */
  private static Map<String, String> accountFiles(ImageStore store, Manifest m) {
    Map<String, String> found = new HashMap<>();
    Map<String, Boolean> settled = new HashMap<>();
    List<Descriptor> layers = m.layers();
    for (int i = layers.size() - 1; i >= 0 && settled.size() < 2; i--) {
      Digest d = layers.get(i).digest();
      try (InputStream raw = store.openBlob(d);
          TarArchiveInputStream tar = new TarArchiveInputStream(Layers.uncompressed(raw, "layer " + d))) {
        Map<String, String> here = new HashMap<>();
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
          String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
          name = name.startsWith("/") ? name.substring(1) : name;
          for (String wanted : List.of(PASSWD, GROUP)) {
            if (settled.containsKey(wanted)) {
              continue;
            }
            if (name.equals(wanted) && e.isFile() && e.getSize() <= MAX_ACCOUNT_FILE) {
              here.put(wanted, new String(tar.readAllBytes(), StandardCharsets.UTF_8));
            } else if (name.equals("etc/.wh." + wanted.substring(4)) || name.equals("etc/.wh..wh..opq")) {
              here.putIfAbsent(wanted, null);
            }
          }
        }
        here.forEach((k, v) -> {
          settled.put(k, Boolean.TRUE);
          if (v != null) {
            found.put(k, v);
          }
        });
      } catch (IOException e) {
        throw new ImageException("cannot read layer " + d + " for the image's accounts: " + e.getMessage(), e);
      }
    }
    return found;
  }

  /** For callers that hold a digest as text. */
  public static Optional<ImageUser> ofDigest(ImageStore store, String manifest) {
    Digest d = Digest.parse(manifest);
    return store.hasBlob(d) ? Optional.of(of(store, d)) : Optional.empty();
  }
}
