package dev.herd.bake.base;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** A sorted listing of a tree (path, type, mode, owner, mtime, content hash) for comparing trees. */
public final class TreeListing {
  private TreeListing() {}

  public static List<String> of(Path root) {
    try (Stream<Path> all = Files.walk(root)) {
      return all.sorted().map(p -> line(root, p)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String line(Path root, Path path) {
    try {
      Map<String, Object> a = Files.readAttributes(path, "unix:mode,uid,gid,lastModifiedTime,isDirectory,isSymbolicLink,isRegularFile",
          LinkOption.NOFOLLOW_LINKS);
      String what;
      if ((Boolean) a.get("isSymbolicLink")) {
        what = "-> " + Files.readSymbolicLink(path);
      } else if ((Boolean) a.get("isRegularFile")) {
        what = "sha256:" + sha256(path);
      } else if ((Boolean) a.get("isDirectory")) {
        what = "dir";
      } else {
        what = "special";
      }
      return "/" + root.relativize(path) + " " + Integer.toOctalString((Integer) a.get("mode")) + " " + a.get("uid") + ":" + a.get("gid")
          + " " + a.get("lastModifiedTime") + " " + what;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      MessageDigest digest = ((DigestInputStream) in).getMessageDigest();
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(digest.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
