package dev.herd.engine.docker;

import dev.herd.engine.Listener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The TCP sockets a container's processes listen on, read from this host's {@code /proc}: the
 * processes are those in the pid namespace of the container's main process (so an {@code exec}'d
 * listener counts too), their sockets the {@code socket:[inode]} links under {@code fd/}, and the
 * listening ones the rows in state LISTEN of {@code net/tcp} and {@code net/tcp6} of the main
 * process's network namespace (the host's, for herd's host-networked nodes) with those inodes.
 * Needs the same host and the right to read other processes' {@code fd/} (herd runs as root);
 * like {@link CgroupOom}, a remote engine has no such view.
 */
final class ListenSockets {
  /** TCP_LISTEN in include/net/tcp_states.h. */
  private static final String LISTEN = "0A";

  private final Path proc;

  ListenSockets(Path proc) {
    this.proc = proc;
  }

  static ListenSockets host() {
    return new ListenSockets(Path.of("/proc"));
  }

  /** The sorted, distinct listeners of the container whose main process is {@code pid}. */
  List<Listener> of(long pid) throws IOException {
    Path main = proc.resolve(Long.toString(pid));
    Set<Long> inodes = new HashSet<>();
    for (Path p : processes(main)) {
      inodes.addAll(socketInodes(p));
    }
    Set<Listener> out = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
    for (String table : List.of("tcp", "tcp6")) {
      Path file = main.resolve("net").resolve(table);
      if (Files.exists(file)) {
        out.addAll(parse(Files.readAllLines(file), inodes));
      }
    }
    return List.copyOf(out);
  }

  /** The processes sharing the main process's pid namespace; only the main one if that is the host's. */
  private List<Path> processes(Path main) throws IOException {
    Path ns;
    try {
      ns = Files.readSymbolicLink(main.resolve("ns").resolve("pid"));
    } catch (NoSuchFileException e) {
      throw new IOException("no process " + main.getFileName() + " on this host");
    }
    Path self = proc.resolve("self").resolve("ns").resolve("pid");
    if (Files.exists(self, java.nio.file.LinkOption.NOFOLLOW_LINKS) && ns.equals(Files.readSymbolicLink(self))) {
      return List.of(main); // a container sharing herd's pid namespace: only its main process is surely its own
    }
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> all = Files.newDirectoryStream(proc, p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
      for (Path p : all) {
        try {
          if (ns.equals(Files.readSymbolicLink(p.resolve("ns").resolve("pid")))) {
            out.add(p);
          }
        } catch (IOException gone) {
          // the process ended while we looked (or is not ours to read): not a listener of the node
        }
      }
    }
    return out;
  }

  private static Set<Long> socketInodes(Path process) {
    Set<Long> out = new HashSet<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
      for (Path fd : fds) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[") && target.endsWith("]")) {
            out.add(Long.parseLong(target.substring(8, target.length() - 1)));
          }
        } catch (IOException | NumberFormatException closed) {
          // closed between listing and reading
        }
      }
    } catch (IOException gone) {
      // ended while we looked
    }
    return out;
  }

  /**
   * The LISTEN rows of a {@code /proc/net/tcp[6]} table whose socket inode is in {@code inodes}.
   * Addresses are hex in the kernel's byte order, 32-bit word by word.
   */
  static List<Listener> parse(List<String> table, Set<Long> inodes) {
    List<Listener> out = new ArrayList<>();
    for (String line : table) {
      String[] f = line.strip().split("\\s+");
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
      if (f.length < 10 || !f[0].endsWith(":") || !f[3].equals(LISTEN)) {
        continue;
      }
      long inode;
      try {
        inode = Long.parseLong(f[9]);
      } catch (NumberFormatException e) {
        continue;
      }
      if (!inodes.contains(inode)) {
        continue;
      }
      int colon = f[1].indexOf(':');
      out.add(new Listener(address(f[1].substring(0, colon)), Integer.parseInt(f[1].substring(colon + 1), 16)));
    }
    return out;
  }

  static String address(String hex) {
    byte[] b = new byte[hex.length() / 2];
    for (int word = 0; word < b.length / 4; word++) {
      for (int i = 0; i < 4; i++) {
        int at = word * 4 + i;
        // each 32-bit word is printed as a number in host byte order
        int src = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? word * 4 + (3 - i) : at;
        b[at] = (byte) Integer.parseInt(hex.substring(src * 2, src * 2 + 2), 16);
      }
    }
    boolean zero = true;
    for (byte x : b) {
      zero &= x == 0;
    }
    if (zero) {
      return b.length == 4 ? "0.0.0.0" : "::";
    }
    try {
      return InetAddress.getByAddress(b).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an address: " + hex);
    }
  }
}
