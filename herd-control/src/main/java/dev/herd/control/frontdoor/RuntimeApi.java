package dev.herd.control.frontdoor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HAProxy's Runtime API on its unix socket: one command per connection (HAProxy answers and
 * closes), so a dead HAProxy is an exception here, never a hung controller.
 */
public final class RuntimeApi {
  private final Path socket;

  public RuntimeApi(Path socket) {
    this.socket = socket;
  }

  public Path socket() {
    return socket;
  }

  /** Sends one command and returns HAProxy's whole answer. */
  public String send(String command) throws IOException {
    if (command.contains("\n") || command.contains(";")) {
      throw new IllegalArgumentException("one command, no separators: " + command);
    }
    return sendLine(command);
  }

  private String sendLine(String command) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(8192);
      while (ch.read(buf) >= 0) {
        buf.flip();
        out.write(buf.array(), 0, buf.limit());
        buf.clear();
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  /** Sends a command whose success HAProxy answers with an empty line or a known phrase. */
  public void change(String command) throws IOException {
    String answer = send(command).strip();
    if (!answer.isEmpty() && !answer.startsWith("New server registered") && !answer.startsWith("Server deleted")) {
      throw new IOException("haproxy refused \"" + command + "\": " + answer.lines().findFirst().orElse(answer));
    }
  }

  /**
   * Sends {@code commands} as one line ({@code a; b; c}): HAProxy runs them one after another in
   * one pass of its CLI, so a switch of a backend's servers lands as one change. Each command
   * still runs when an earlier one failed; every refusal is in the exception.
   */
  public void batch(List<String> commands) throws IOException {
    if (commands.isEmpty()) {
      return;
    }
    for (String c : commands) {
      if (c.contains("\n") || c.contains(";")) {
        throw new IllegalArgumentException("one command, no separators: " + c);
      }
    }
    List<String> refused = refusals(sendLine(String.join("; ", commands)));
    if (!refused.isEmpty()) {
      throw new IOException("haproxy refused part of \"" + String.join("; ", commands) + "\": " + String.join("; ", refused));
    }
  }

  /** The lines of a batch's answer that are no success: HAProxy answers success with nothing or a known phrase. */
  static List<String> refusals(String answer) {
    return answer.lines().map(String::strip).filter(l -> !l.isEmpty())
        .filter(l -> !l.startsWith("New server registered") && !l.startsWith("Server deleted")).toList();
  }

  /** The servers of one backend as HAProxy serves them now ({@code show stat}). */
  public List<ServerState> servers(String backend) throws IOException {
    return parseStat(send("show stat"), backend);
  }

  /**
   * One server row of {@code show stat}.
   *
   * @param limit the server's connection limit ({@code slim}), 0 for none
   */
  public record ServerState(String name, String address, String status, int weight, int sessions, int limit) {
    public boolean draining() {
      return status.startsWith("DRAIN");
    }

    public boolean maintenance() {
      return status.startsWith("MAINT");
    }
  }

  /** Parses {@code show stat} CSV by its header names (columns differ between versions). */
  static List<ServerState> parseStat(String csv, String backend) throws IOException {
    List<String> lines = csv.lines().toList();
    if (lines.isEmpty() || !lines.get(0).startsWith("# ")) {
      throw new IOException("haproxy's show stat answered without a header: " + (lines.isEmpty() ? "nothing" : lines.get(0)));
    }
    String[] header = lines.get(0).substring(2).split(",", -1);
    Map<String, Integer> col = new LinkedHashMap<>();
    for (int i = 0; i < header.length; i++) {
      col.put(header[i], i);
    }
    List<ServerState> out = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      if (f.length < header.length || !f[col.get("pxname")].equals(backend)) {
        continue;
      }
      String sv = f[col.get("svname")];
      if (sv.equals("BACKEND") || sv.equals("FRONTEND")) {
        continue;
      }
      out.add(new ServerState(sv, col.containsKey("addr") ? f[col.get("addr")] : "", f[col.get("status")],
          number(f[col.get("weight")]), number(f[col.get("scur")]), col.containsKey("slim") ? number(f[col.get("slim")]) : 0));
    }
    return out;
  }

  private static int number(String s) {
    return s.isEmpty() ? 0 : Integer.parseInt(s);
  }
}
