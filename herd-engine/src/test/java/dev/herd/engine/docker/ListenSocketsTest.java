package dev.herd.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.engine.Listener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListenSocketsTest {
  @TempDir Path proc;

  private static final String HEADER =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";

  /** Rows as the kernel prints them (x86: each 32-bit word little-endian). */
  private static final List<String> TCP = List.of(HEADER,
      "   0: 0100007F:46A1 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0 100 0 0 10 0",
      "   1: 00000000:46A2 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1002 1 0 100 0 0 10 0",
      "   2: 0100007F:46A1 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0 100 0 0 10 0",
      "   3: 0A00000A:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0 100 0 0 10 0",
      "   4: 0500000A:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1004 1 0 100 0 0 10 0");
  private static final List<String> TCP6 = List.of(HEADER,
      "   0: 00000000000000000000000000000000:2405 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1005 1 0 100 0 0 10 0",
      "   1: 00000000000000000000000001000000:2406 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1006 1 0 100 0 0 10 0",
      "   2: 0000000000000000FFFF00000100007F:2407 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1007 1 0 100 0 0 10 0");

  @Test
  void parsesListeningRowsOfTheNodesSocketsOnly() {
    List<Listener> v4 = ListenSockets.parse(TCP, Set.of(1001L, 1002L, 1003L, 1004L));
    assertThat(v4).containsExactly(new Listener("127.0.0.1", 18081), new Listener("0.0.0.0", 18082),
        new Listener("10.0.0.5", 8080));
    assertThat(v4).extracting(Listener::loopback).containsExactly(true, false, false);
    List<Listener> v6 = ListenSockets.parse(TCP6, Set.of(1005L, 1006L, 1007L));
    assertThat(v6).containsExactly(new Listener("::", 9221), new Listener("0:0:0:0:0:0:0:1", 9222),
        new Listener("127.0.0.1", 9223));
    assertThat(v6).extracting(Listener::loopback).containsExactly(false, true, true);
  }

  @Test
  void theNodesProcessesAreThoseOfItsPidNamespaceAndTheirSocketsAreMatchedByInode() throws IOException {
    process(100, "pid:[4026532177]", 1001, 1002); // the node's main process
    process(101, "pid:[4026532177]", 1005); // exec'd into the node
    process(200, "pid:[4026531836]", 2001); // the host's sshd: not the node's
    Files.createDirectories(proc.resolve("self/ns"));
    Files.createSymbolicLink(proc.resolve("self/ns/pid"), Path.of("pid:[4026531836]"));
    Files.write(proc.resolve("100/net/tcp"), TCP);
    Files.write(proc.resolve("100/net/tcp6"), TCP6);

    assertThat(new ListenSockets(proc).of(100)).containsExactly(new Listener("0.0.0.0", 18082),
        new Listener("127.0.0.1", 18081), new Listener("::", 9221));
  }

  @Test
  void aProcessThatIsNotOnThisHostIsAnError() {
    assertThatThrownBy(() -> new ListenSockets(proc).of(4242)).isInstanceOf(IOException.class)
        .hasMessage("no process 4242 on this host");
  }

  private void process(long pid, String pidNs, long... socketInodes) throws IOException {
    Path p = proc.resolve(Long.toString(pid));
    Files.createDirectories(p.resolve("ns"));
    Files.createDirectories(p.resolve("fd"));
    Files.createDirectories(p.resolve("net"));
    Files.createSymbolicLink(p.resolve("ns/pid"), Path.of(pidNs));
    Files.createSymbolicLink(p.resolve("fd/0"), Path.of("/dev/null"));
    for (int i = 0; i < socketInodes.length; i++) {
      Files.createSymbolicLink(p.resolve("fd/" + (i + 3)), Path.of("socket:[" + socketInodes[i] + "]"));
    }
  }
}
