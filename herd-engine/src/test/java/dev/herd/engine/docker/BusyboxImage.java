package dev.herd.engine.docker;

import dev.herd.engine.ImageSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The test image until herd's bake exists: Debian's static busybox plus /www/index.html, as a
 * reproducible OCI archive (fixed mtimes and owners, so the manifest digest is stable). The
 * .deb is fetched once with {@code apt-get download} and cached under ~/.cache/herd/test.
 */
public final class BusyboxImage {
  public static final String INDEX_HTML = "hello from a herd node\n";
  private static volatile BusyboxImage instance;
  private static volatile BusyboxImage withShell;
  /** The applets {@link #withShell()} links into /bin: a shell and what herd's restore script and tests call. */
  static final java.util.List<String> SHELL_APPLETS = java.util.List.of("sh", "rm", "cat");

  private final byte[] archive;
  private final byte[] dockerArchive;
  private final String manifestDigest;
  private final String configDigest;

  private BusyboxImage(byte[] archive, byte[] dockerArchive, String manifestDigest, String configDigest) {
    this.archive = archive;
    this.dockerArchive = dockerArchive;
    this.manifestDigest = manifestDigest;
    this.configDigest = configDigest;
  }

  public static BusyboxImage get() {
    if (instance == null) {
      synchronized (BusyboxImage.class) {
        if (instance == null) {
          instance = build(busyboxBinary());
        }
      }
    }
    return instance;
  }

  /** The same busybox with /bin/sh, /bin/rm and /bin/cat linked to it: an image with a shell. */
  public static BusyboxImage withShell() {
    if (withShell == null) {
      synchronized (BusyboxImage.class) {
        if (withShell == null) {
          withShell = build(busyboxBinary(), SHELL_APPLETS);
        }
      }
    }
    return withShell;
  }

  /** Both archive formats, as herd's image store offers them. */
  public ImageSource source() {
    return new ImageSource(manifestDigest, configDigest, Map.of(
        ImageSource.Format.OCI_ARCHIVE, out -> out.write(archive),
        ImageSource.Format.DOCKER_ARCHIVE, out -> out.write(dockerArchive)));
  }

  /** The OCI archive only (what herd offered before it wrote docker archives). */
  public ImageSource ociOnly() {
    return new ImageSource(manifestDigest, configDigest, Map.of(ImageSource.Format.OCI_ARCHIVE, out -> out.write(archive)));
  }

  /** The OCI archive. */
  public byte[] ociArchive() {
    return archive.clone();
  }

  public String configDigest() {
    return configDigest;
  }

  public String digest() {
    return manifestDigest;
  }

  /** Writes the archive to a file (for podman load in benchmarks). */
  public void writeTo(Path file) throws IOException {
    Files.write(file, archive);
  }

  static Path cacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("herd/test");
  }

  private static byte[] busyboxBinary() {
    try {
      Path dir = cacheDir();
      Files.createDirectories(dir);
      Path deb = findDeb(dir);
      if (deb == null) {
        run(dir, "apt-get", "download", "busybox-static");
        deb = findDeb(dir);
        if (deb == null) {
          throw new IllegalStateException("apt-get download busybox-static left no .deb in " + dir);
        }
      }
      Process p = new ProcessBuilder("dpkg-deb", "--fsys-tarfile", deb.toString())
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      byte[] binary = null;
      try (TarArchiveInputStream tar = new TarArchiveInputStream(p.getInputStream())) {
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
          if (e.getName().equals("./bin/busybox") || e.getName().equals("bin/busybox")) {
            binary = tar.readAllBytes();
          }
        }
      }
      if (p.waitFor() != 0 || binary == null) {
        throw new IllegalStateException("no bin/busybox in " + deb);
      }
      return binary;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Path findDeb(Path dir) throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "busybox-static*.deb")) {
      for (Path p : ds) {
        return p;
      }
    }
    return null;
  }

  private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
  }

  static BusyboxImage build(byte[] busybox) {
    return build(busybox, java.util.List.of());
  }

  static BusyboxImage build(byte[] busybox, java.util.List<String> applets) {
    try {
      byte[] layer = tar(Map.of(), true, busybox, applets);
      String diffId = sha256(layer);
      byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\","
          + "\"config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"/bin/busybox\",\"sh\"],\"Labels\":{\"herd.test\":\"1\"}},"
          + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}").getBytes(StandardCharsets.UTF_8);
      byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
          + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + sha256(config)
          + "\",\"size\":" + config.length + "},"
          + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + diffId
          + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
      String manifestDigest = sha256(manifest);
      byte[] index = ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
          + "\"digest\":\"" + manifestDigest + "\",\"size\":" + manifest.length + "}]}").getBytes(StandardCharsets.UTF_8);
      Map<String, byte[]> files = new LinkedHashMap<>();
      files.put("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
      files.put("index.json", index);
      files.put("blobs/sha256/" + hex(config), config);
      files.put("blobs/sha256/" + hex(manifest), manifest);
      files.put("blobs/sha256/" + hex(layer), layer);
      // docker save format: manifest.json naming the config file and uncompressed layer tars
      Map<String, byte[]> docker = new LinkedHashMap<>();
      docker.put(hex(config) + ".json", config);
      docker.put(hex(layer) + "/layer.tar", layer);
      docker.put("manifest.json", ("[{\"Config\":\"" + hex(config) + ".json\",\"RepoTags\":[],\"Layers\":[\""
          + hex(layer) + "/layer.tar\"]}]").getBytes(StandardCharsets.UTF_8));
      return new BusyboxImage(tar(files, false, null, java.util.List.of()), tar(docker, false, null, java.util.List.of()), manifestDigest, sha256(config));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A tar with fixed metadata: either the rootfs layer or the archive holding the given files. */
  private static byte[] tar(Map<String, byte[]> files, boolean rootfs, byte[] busybox, java.util.List<String> applets)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      if (rootfs) {
        dir(tar, "bin/");
        file(tar, "bin/busybox", busybox, 0755);
        for (String applet : applets) {
          TarArchiveEntry link = new TarArchiveEntry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
          link.setLinkName("busybox");
          link.setMode(0120777);
          fixed(link);
          tar.putArchiveEntry(link);
          tar.closeArchiveEntry();
        }
        dir(tar, "www/");
        file(tar, "www/index.html", INDEX_HTML.getBytes(StandardCharsets.UTF_8), 0644);
      } else {
        if (files.containsKey("oci-layout")) {
          dir(tar, "blobs/");
          dir(tar, "blobs/sha256/");
        }
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
          file(tar, f.getKey(), f.getValue(), 0644);
        }
      }
    }
    return bytes.toByteArray();
  }

  private static void dir(TarArchiveOutputStream tar, String name) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setMode(040755);
    fixed(e);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  private static void file(TarArchiveOutputStream tar, String name, byte[] data, int mode) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setMode(0100000 | mode);
    e.setSize(data.length);
    fixed(e);
    tar.putArchiveEntry(e);
    tar.write(data);
    tar.closeArchiveEntry();
  }

  private static void fixed(TarArchiveEntry e) {
    e.setModTime(0);
    e.setUserId(0);
    e.setGroupId(0);
    e.setUserName("");
    e.setGroupName("");
  }

  private static String sha256(byte[] b) {
    return "sha256:" + hex(b);
  }

  private static String hex(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static void copy(InputStream in, OutputStream out) throws IOException {
    in.transferTo(out);
  }
}
