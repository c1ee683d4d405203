package dev.herd.bake.scan;

import dev.herd.common.secrets.SecretRules;
import dev.herd.bake.tree.Change;
import dev.herd.bake.tree.ChangeReport;
import dev.herd.bake.tree.Origin;
import dev.herd.spec.SecretScan;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Scans layer blobs (tar, gzip'd or not) and staging directories for secrets. Every layer blob
 * is scanned on its own, so a file added in one layer and deleted in a later one is still found:
 * deleting a file does not remove it from the image's history.
 *
 * <p>Per file at most {@link #MAX_BYTES_PER_FILE} bytes are scanned (config files and keys are
 * far smaller; a larger file is scanned from its start and counted in {@code truncatedFiles}).
 * A file with a NUL byte in its first {@value #BINARY_SNIFF_BYTES} bytes is binary and gets only
 * the path rules.
 */
public final class SecretScanner {
  public static final int MAX_BYTES_PER_FILE = 1 << 20;
  public static final int BINARY_SNIFF_BYTES = 8192;
  /** Bytes of file content read but not yet scanned, at most (the reader waits above it). */
  private static final int IN_FLIGHT_BYTES = 32 << 20;
  private static final int SCAN_THREADS = dev.herd.common.Cores.forCpuWork();

  /** A layer blob to scan: opened when scanned, closed by the scanner. */
  public interface LayerSource {
    InputStream open() throws IOException;
  }

  public record Layer(LayerRef ref, LayerSource source) {}

  private record AllowRule(PathMatcher matcher, SecretScan.Allow allow) {}

  private final List<AllowRule> allow;

  public SecretScanner(SecretScan allowlist) {
    List<AllowRule> rules = new ArrayList<>();
    for (SecretScan.Allow a : allowlist.allow()) {
      for (String r : a.rules()) {
        if (!SecretRules.IDS.contains(r)) {
          throw new IllegalArgumentException(a.location() + ": secret_scan.allow rule \"" + r + "\" is not one of " + SecretRules.IDS);
        }
      }
      String glob = a.path().startsWith("/") ? a.path() : "/" + a.path();
      rules.add(new AllowRule(FileSystems.getDefault().getPathMatcher("glob:" + glob), a));
    }
    this.allow = List.copyOf(rules);
  }

  /** image path → the resource that wrote it, from the applier's reports. */
  public static Map<String, Origin> producers(ChangeReport... reports) {
    Map<String, Origin> out = new LinkedHashMap<>();
    for (ChangeReport r : reports) {
      for (Change c : r.changes()) {
        if (c.subject().startsWith("/")) {
          out.put(c.subject(), c.origin());
        }
      }
    }
    return out;
  }

  /**
   * Scans every layer of an image in order and marks findings whose file a later layer removes
   * (whiteout) or replaces.
   */
  public ScanReport scanLayers(List<Layer> layers) {
    List<LayerScan> scans = new ArrayList<>();
    for (Layer l : layers) {
      try (InputStream in = l.source().open()) {
        scans.add(scanTar(l.ref(), in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + l.ref() + " for the secret scan", e);
      }
    }
    ScanReport total = new ScanReport(List.of(), List.of(), ScanReport.Stats.ZERO);
    for (int i = 0; i < scans.size(); i++) {
      LayerScan s = scans.get(i);
      List<Finding> marked = new ArrayList<>();
      for (Finding f : s.findings) {
        Finding m = f;
        for (int j = i + 1; j < scans.size(); j++) {
          if (scans.get(j).hides(f.path())) {
            m = f.hiddenBy(scans.get(j).ref);
            break;
          }
        }
        marked.add(m);
      }
      total = total.plus(judge(marked, s.stats));
    }
    return total;
  }

  /** Scans one layer blob (tar or tar+gzip). */
  public ScanReport scanLayer(LayerRef ref, InputStream blob) {
    try {
      LayerScan s = scanTar(ref, blob);
      return judge(s.findings, s.stats);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + ref + " for the secret scan", e);
    }
  }

  /** Scans a staging directory; symlinks are not followed. */
  public ScanReport scanTree(Path dir, LayerRef ref) {
    List<Finding> findings = new ArrayList<>();
    ScanReport.Stats[] stats = {ScanReport.Stats.ZERO};
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          if (attrs.isRegularFile()) {
            String imagePath = "/" + dir.relativize(file).toString().replace('\\', '/');
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
              stats[0] = stats[0].plus(scanFile(imagePath, in, attrs.size(), ref, findings));
            }
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot scan " + dir + " for secrets", e);
    }
    return judge(findings, stats[0]);
  }

  private ScanReport judge(List<Finding> findings, ScanReport.Stats stats) {
    List<Finding> blocking = new ArrayList<>();
    List<ScanReport.Allowed> allowed = new ArrayList<>();
    for (Finding f : findings) {
      Optional<SecretScan.Allow> a = allow.stream()
          .filter(r -> r.matcher().matches(Path.of(f.path())))
          .filter(r -> r.allow().rules().isEmpty() || r.allow().rules().contains(f.rule()))
          .map(AllowRule::allow)
          .findFirst();
      if (a.isPresent()) {
        allowed.add(new ScanReport.Allowed(f, a.get().reason(), a.get().location()));
      } else {
        blocking.add(f);
      }
    }
    return new ScanReport(blocking, allowed, stats);
  }

  /** What one layer blob holds: findings plus the deletions and files that hide lower layers. */
  private static final class LayerScan {
    final LayerRef ref;
    final List<Finding> findings = new ArrayList<>();
    final Set<String> whiteouts = new HashSet<>();
    final Set<String> opaqueDirs = new HashSet<>();
    final Set<String> files = new HashSet<>();
    ScanReport.Stats stats = ScanReport.Stats.ZERO;

    LayerScan(LayerRef ref) {
      this.ref = ref;
    }

    boolean hides(String path) {
      if (files.contains(path) || whiteouts.contains(path)) {
        return true;
      }
      for (String p = parent(path); p != null; p = parent(p)) {
        if (whiteouts.contains(p) || opaqueDirs.contains(p)) {
          return true;
        }
      }
      return false;
    }

    private static String parent(String p) {
      int i = p.lastIndexOf('/');
      return i <= 0 ? (p.equals("/") ? null : "/") : p.substring(0, i);
    }
  }

  private LayerScan scanTar(LayerRef ref, InputStream raw) throws IOException {
    LayerScan scan = new LayerScan(ref);
    BufferedInputStream in = new BufferedInputStream(raw);
    in.mark(4);
    byte[] magic = in.readNBytes(4);
    in.reset();
    int b1 = magic.length > 0 ? magic[0] & 0xff : -1;
    int b2 = magic.length > 1 ? magic[1] & 0xff : -1;
    if (magic.length == 4 && b1 == 0x28 && b2 == 0xb5 && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
      throw new IOException(ref + " is zstd-compressed; herd scans tar and tar+gzip layers");
    }
    InputStream tarStream = (b1 == 0x1f && b2 == 0x8b) ? new GZIPInputStream(in, 65536) : in;
    // this thread unpacks and reads; the files' contents are scanned on every core, and the
    // results are taken in tar order, so the report is the same as a scan on one thread
    List<Future<FileScan>> scanned = new ArrayList<>();
    Semaphore inFlight = new Semaphore(IN_FLIGHT_BYTES);
    ExecutorService workers = Executors.newFixedThreadPool(SCAN_THREADS, r -> {
      Thread t = new Thread(r, "herd-secret-scan");
      t.setDaemon(true);
      return t;
    });
    try (TarArchiveInputStream tar = new TarArchiveInputStream(tarStream)) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        String path = normalize(e.getName());
        String name = path.substring(path.lastIndexOf('/') + 1);
        String dir = path.substring(0, Math.max(1, path.lastIndexOf('/')));
        if (name.equals(".wh..wh..opq")) {
          scan.opaqueDirs.add(dir);
        } else if (name.startsWith(".wh.")) {
          scan.whiteouts.add((dir.equals("/") ? "" : dir) + "/" + name.substring(4));
        } else if (e.isFile()) {
          scan.files.add(path);
          byte[] data = tar.readNBytes(MAX_BYTES_PER_FILE);
          long size = e.getSize();
          int permits = Math.max(1, data.length);
          inFlight.acquireUninterruptibly(permits);
          scanned.add(workers.submit(() -> {
            try {
              return scanFile(path, data, size, ref);
            } finally {
              inFlight.release(permits);
            }
          }));
        }
      }
      for (Future<FileScan> f : scanned) {
        FileScan file = join(f);
        scan.findings.addAll(file.findings());
        scan.stats = scan.stats.plus(file.stats());
      }
    } finally {
      workers.shutdownNow();
    }
    return scan;
  }

  private record FileScan(List<Finding> findings, ScanReport.Stats stats) {}

  private static FileScan join(Future<FileScan> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("secret scan interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IOException(e.getCause());
    }
  }

  private static FileScan scanFile(String path, byte[] data, long size, LayerRef ref) {
    List<Finding> findings = new ArrayList<>();
    ScanReport.Stats stats = scanData(path, data, size, ref, findings);
    return new FileScan(findings, stats);
  }

  /** "./etc/x", "etc/x", "/etc/x" → "/etc/x". */
  static String normalize(String tarName) {
    String n = tarName;
    while (n.startsWith("./")) {
      n = n.substring(2);
    }
    n = n.replaceAll("/+$", "");
    return n.startsWith("/") ? n : "/" + n;
  }

  private static ScanReport.Stats scanFile(String path, InputStream in, long size, LayerRef ref, List<Finding> out) throws IOException {
    return scanData(path, in.readNBytes(MAX_BYTES_PER_FILE), size, ref, out);
  }

  private static ScanReport.Stats scanData(String path, byte[] data, long size, LayerRef ref, List<Finding> out) {
    boolean truncated = size > MAX_BYTES_PER_FILE;
    SecretRules.scanPath(path, data).ifPresent(h -> out.add(new Finding(h.rule(), path, ref, 0, h.excerpt(), Optional.empty())));
    if (isBinary(data)) {
      return new ScanReport.Stats(1, data.length, 1, truncated ? 1 : 0);
    }
    // ISO-8859-1 maps every byte to one char: the secrets looked for are ASCII, and no byte
    // sequence can make decoding fail or hide a match.
    String text = new String(data, StandardCharsets.ISO_8859_1);
    // the line rules run only on lines where one of them could match (SecretRules.nextCandidate)
    int lineNo = 1;
    int counted = 0; // newlines before this offset are counted in lineNo
    for (int at = SecretRules.nextCandidate(text, 0); at >= 0; ) {
      int start = text.lastIndexOf('\n', at - 1) + 1;
      int nl = text.indexOf('\n', at);
      int end = nl < 0 ? text.length() : nl;
      for (int i = text.indexOf('\n', counted); i >= 0 && i < start; i = text.indexOf('\n', i + 1)) {
        lineNo++;
      }
      counted = start;
      for (SecretRules.Hit h : SecretRules.scanLine(text.substring(start, end))) {
        out.add(new Finding(h.rule(), path, ref, lineNo, h.excerpt(), Optional.empty()));
      }
      at = nl < 0 ? -1 : SecretRules.nextCandidate(text, nl + 1);
    }
    for (SecretRules.LineHit h : SecretRules.scanDocument(text)) {
      out.add(new Finding(h.hit().rule(), path, ref, h.line(), h.hit().excerpt(), Optional.empty()));
    }
    return new ScanReport.Stats(1, data.length, 0, truncated ? 1 : 0);
  }

  private static boolean isBinary(byte[] data) {
    int n = Math.min(data.length, BINARY_SNIFF_BYTES);
    for (int i = 0; i < n; i++) {
      if (data[i] == 0) {
        return true;
      }
    }
    return false;
  }
}
