package dev.herd.cli.quick;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The launcher's quick path for what operators run all day: {@code herd status [FLEET]},
 * {@code herd events [--since D]}, {@code herd config get ENV/ROLE KEY}, {@code herd bake
 * [ROLE...] [--locked]} and {@code herd audit ROLE --root DIR}, with {@code -f/--file} and
 * {@code --state}. It uses the JDK only (its
 * own small jar: no picocli, Jackson or HTTP client to load) and talks to the running controller
 * over one loopback socket: for the first three it asks for the text the full CLI would print
 * ({@code Accept: text/plain}, rendered by the same code) and prints it; a bake runs in the
 * controller ({@code POST /v1/bake}), whose progress and result lines it prints as they come;
 * an audit too ({@code POST /v1/audit}), hashing in the controller's warm JVM.
 *
 * <p>It handles only the plain success path. Anything else (another option, {@code --json},
 * {@code --follow}, {@code -v}, help, no controller, a controller that does not bake or bakes
 * another herd.yaml, an error answer) exits with {@link #NOT_HANDLED} before printing a byte, and
 * the launcher runs the full CLI, which says what is wrong in its own words.
 */
public final class QuickCli {
  /** Exit code that tells the launcher to run the full CLI instead. */
  public static final int NOT_HANDLED = 100;
  /**
   * What a bake reads from its environment; the controller refuses a client whose values differ.
   * The same list as the server's {@code BakeRoutes.BAKE_ENVIRONMENT} (a test holds them equal).
   */
  public static final List<String> BAKE_ENVIRONMENT = List.of("SOURCE_DATE_EPOCH", "XDG_CACHE_HOME", "HERD_INDEX_MAX_AGE",
      "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY");

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final Pattern URL = Pattern.compile("\"url\"\\s*:\\s*\"(http://[^\"]+)\"");
  private static final Pattern PID = Pattern.compile("\"pid\"\\s*:\\s*(\\d+)");
  private static final int CONNECT_MS = 2_000;
  /** Longer than the server's keep-alive interval on a bake's stream (10 s). */
  private static final int READ_MS = 60_000;
  private static final int MAX_BODY = 16 << 20;

  private QuickCli() {}

  public static void main(String[] args) {
    int code;
    try {
      code = run(args, System.out, System.err, Path.of("").toAbsolutePath(), System.getenv());
    } catch (IOException | RuntimeException e) {
      code = NOT_HANDLED;
    }
    System.exit(code);
  }

  /** {@link #run(String[], PrintStream, PrintStream, Path, Map)} with the process environment. */
  public static int run(String[] args, PrintStream out, PrintStream err, Path cwd) throws IOException {
    return run(args, out, err, cwd, System.getenv());
  }

  /**
   * Prints the answer and returns the command's exit code, or prints nothing and returns
   * {@link #NOT_HANDLED}; {@code cwd} is where relative paths start.
   */
  public static int run(String[] args, PrintStream out, PrintStream err, Path cwd, Map<String, String> env) throws IOException {
    Optional<Request> request = parse(List.of(args), cwd, env);
    if (request.isEmpty()) {
      return NOT_HANDLED;
    }
    Request r = request.get();
    Optional<Socket> socket = connect(r);
    if (socket.isEmpty()) {
      return NOT_HANDLED;
    }
    try (Socket s = socket.get()) {
      InputStream in = new java.io.BufferedInputStream(s.getInputStream());
      if (r.body() == null) {
        Optional<byte[]> body = Http.textBody(in, MAX_BODY);
        if (body.isEmpty()) {
          return NOT_HANDLED;
        }
        // through the stream's own charset, as the full CLI's PrintWriter over System.out prints
        out.print(new String(body.get(), StandardCharsets.UTF_8));
        out.flush();
        return out.checkError() ? 1 : 0;
      }
      Optional<InputStream> stream = Http.textStream(in);
      if (stream.isEmpty()) {
        return NOT_HANDLED;
      }
      String what = r.pathAndQuery().startsWith("/v1/audit") ? "audit" : "bake";
      try {
        return relay(stream.get(), out, err, what);
      } catch (IOException | RuntimeException e) {
        // lines may have been printed: never hand over to the full CLI now (it would run it again)
        err.println("herd: lost the controller's answer during the " + what + " (" + e.getMessage() + "); its log"
            + " (.herd/herd.log) says how the " + what + " ended");
        return 4;
      }
    }
  }

  /**
   * Prints a bake's or an audit's lines as they come ({@code err: } to stderr, {@code out: } to
   * stdout) and returns its {@code exit: } code; 4 when the stream ends before it.
   */
  static int relay(InputStream in, PrintStream out, PrintStream err, String what) throws IOException {
    while (true) {
      String line = Http.line(in, StandardCharsets.UTF_8);
      if (line == null) {
        err.println("herd: the controller ended the " + what + "'s answer before its end; its log (.herd/herd.log) says why");
        return 4;
      }
      if (line.startsWith("err: ")) {
        err.println(line.substring(5));
        err.flush();
      } else if (line.startsWith("out: ")) {
        out.println(line.substring(5));
        out.flush();
      } else if (line.startsWith("exit: ")) {
        return Integer.parseInt(line.substring(6).strip());
      }
      // ":" keeps an idle connection open; anything else is not ours to print
    }
  }

  /** What to send the controller of which project; {@code body} is null for a GET. */
  record Request(Path state, String method, String pathAndQuery, String body) {}

  /** The request these arguments make, or empty when they are not a quick command's plain form. */
  static Optional<Request> parse(List<String> args, Path cwd, Map<String, String> env) {
    if (args.isEmpty()) {
      return Optional.empty();
    }
    String command = args.getFirst();
    List<String> positional = new ArrayList<>();
    String file = null;
    String state = null;
    String since = null;
    String root = null;
    boolean locked = false;
    for (int i = 1; i < args.size(); i++) {
      String a = args.get(i);
      String value = null;
      String option = a;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        option = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      switch (option) {
        case "-f", "--file", "--state", "--since", "--root" -> {
          if (value == null) {
            if (i + 1 >= args.size()) {
              return Optional.empty();
            }
            value = args.get(++i);
          }
          if (value.isEmpty() || value.startsWith("-")) {
            return Optional.empty();
          }
          switch (option) {
            case "-f", "--file" -> {
              if (file != null) {
                return Optional.empty();
              }
              file = value;
            }
            case "--state" -> {
              if (state != null) {
                return Optional.empty();
              }
              state = value;
            }
            case "--root" -> {
              if (root != null || !command.equals("audit")) {
                return Optional.empty();
              }
              root = value;
            }
            default -> {
              if (since != null || !command.equals("events")) {
                return Optional.empty();
              }
              since = value;
            }
          }
        }
        case "--locked" -> {
          if (!a.equals("--locked") || locked || !command.equals("bake")) {
            return Optional.empty();
          }
          locked = true;
        }
        default -> {
          if (a.startsWith("-")) {
            return Optional.empty(); // --json, --follow, -v, -h, --help, clustered or unknown: the full CLI
          }
          positional.add(a);
        }
      }
    }
    Optional<Path> spec = specFile(file, cwd);
    Path stateDir = stateDir(spec, state, cwd);
    switch (command) {
      case "status" -> {
        if (positional.size() > 1 || positional.size() == 1 && !NAME.matcher(positional.getFirst()).matches()) {
          return Optional.empty();
        }
        return get(stateDir, "/v1/status" + (positional.isEmpty() ? "" : "?fleet=" + positional.getFirst()));
      }
      case "events" -> {
        if (!positional.isEmpty()) {
          return Optional.empty();
        }
        return get(stateDir, "/v1/events?limit=10000&since=" + encode(since == null ? "1h" : since) + "&tz="
            + encode(TimeZone.getDefault().getID()));
      }
      case "config" -> {
        if (positional.size() != 3 || !positional.get(0).equals("get")) {
          return Optional.empty();
        }
        String[] scope = positional.get(1).split("/", -1);
        String key = positional.get(2);
        if (scope.length != 2 || !NAME.matcher(scope[0]).matches() || !NAME.matcher(scope[1]).matches()
            || !NAME.matcher(key).matches()) {
          return Optional.empty();
        }
        return get(stateDir, "/v1/config/" + scope[0] + "/" + scope[1] + "/" + key);
      }
      case "bake" -> {
        if (spec.isEmpty() || positional.stream().anyMatch(p -> !NAME.matcher(p).matches())) {
          return Optional.empty();
        }
        StringBuilder body = new StringBuilder("{\"roles\":[");
        for (int i = 0; i < positional.size(); i++) {
          body.append(i == 0 ? "" : ",").append(json(positional.get(i)));
        }
        body.append("],\"locked\":").append(locked).append(",\"spec\":").append(json(spec.get().toString()))
            .append(",\"user\":").append(json(System.getProperty("user.name"))).append(",\"environment\":{");
        boolean first = true;
        for (String k : BAKE_ENVIRONMENT) {
          String v = env.get(k);
          if (v != null) {
            body.append(first ? "" : ",").append(json(k)).append(':').append(json(v));
            first = false;
          }
        }
        body.append("}}");
        return Optional.of(new Request(stateDir, "POST", "/v1/bake", body.toString()));
      }
      case "audit" -> {
        if (spec.isEmpty() || root == null || positional.size() != 1 || !NAME.matcher(positional.getFirst()).matches()) {
          return Optional.empty(); // --container, -v, no spec...: the full CLI
        }
        String sde = env.get("SOURCE_DATE_EPOCH");
        String body = "{\"role\":" + json(positional.getFirst()) + ",\"root\":" + json(cwd.resolve(root).toAbsolutePath().normalize().toString())
            + ",\"spec\":" + json(spec.get().toString()) + ",\"user\":" + json(System.getProperty("user.name"))
            + ",\"environment\":{" + (sde == null ? "" : "\"SOURCE_DATE_EPOCH\":" + json(sde)) + "}}";
        return Optional.of(new Request(stateDir, "POST", "/v1/audit", body));
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  private static Optional<Request> get(Path state, String path) {
    return Optional.of(new Request(state, "GET", path, null));
  }

  /** The spec file as the full CLI finds it: -f FILE|DIR, else ./herd.yaml; empty when there is none. */
  static Optional<Path> specFile(String file, Path cwd) {
    Path spec = (file != null ? cwd.resolve(file) : cwd).toAbsolutePath().normalize();
    if (Files.isDirectory(spec)) {
      spec = spec.resolve("herd.yaml");
    }
    return Files.isRegularFile(spec) ? Optional.of(spec) : Optional.empty();
  }

  /** As the full CLI finds it: --state, else .herd/ beside the spec ({@link #specFile}), else ./.herd. */
  static Path stateDir(Optional<Path> spec, String state, Path cwd) {
    if (state != null) {
      return cwd.resolve(state).toAbsolutePath().normalize();
    }
    return spec.map(s -> s.getParent().resolve(".herd")).orElse(cwd.resolve(".herd"));
  }

  /** A socket to the project's running controller with the request sent, or empty when there is none. */
  static Optional<Socket> connect(Request r) throws IOException {
    Path info = r.state().resolve("api.json");
    Path tokenFile = r.state().resolve("api-token");
    if (!Files.isRegularFile(info) || !Files.isRegularFile(tokenFile)) {
      return Optional.empty();
    }
    String json = Files.readString(info, StandardCharsets.UTF_8);
    Matcher url = URL.matcher(json);
    Matcher pid = PID.matcher(json);
    if (!url.find() || !pid.find() || !ProcessHandle.of(Long.parseLong(pid.group(1))).map(ProcessHandle::isAlive).orElse(false)) {
      return Optional.empty();
    }
    URI base = URI.create(url.group(1));
    String host = base.getHost();
    if (host == null || base.getPort() < 1 || !isLoopback(host)) {
      return Optional.empty();
    }
    String token = Files.readString(tokenFile, StandardCharsets.US_ASCII).strip();
    if (token.isEmpty() || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      return Optional.empty();
    }
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress(host, base.getPort()), CONNECT_MS);
      s.setSoTimeout(READ_MS);
      String hostHeader = host.contains(":") ? "[" + host + "]:" + base.getPort() : host + ":" + base.getPort();
      byte[] body = r.body() == null ? new byte[0] : r.body().getBytes(StandardCharsets.UTF_8);
      StringBuilder head = new StringBuilder(r.method()).append(' ').append(r.pathAndQuery()).append(" HTTP/1.1\r\n")
          .append("Host: ").append(hostHeader).append("\r\nAuthorization: Bearer ").append(token)
          .append("\r\nAccept: text/plain\r\nUser-Agent: herd-quick\r\nConnection: close\r\n");
      if (r.body() != null) {
        head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
      }
      OutputStream out = s.getOutputStream();
      out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      return Optional.of(s);
    } catch (IOException e) {
      s.close();
      return Optional.empty();
    }
  }

  private static boolean isLoopback(String host) {
    return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]") || host.equals("::1");
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** A JSON string literal. */
  static String json(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /** The little of HTTP/1.1 the quick client reads: a 200 text/plain answer, sized, chunked or to the end. */
  static final class Http {
    private Http() {}

    /** The whole body of a 200 text/plain answer, or empty for any other answer. */
    static Optional<byte[]> textBody(InputStream in, int max) throws IOException {
      Optional<InputStream> body = textStream(in);
      if (body.isEmpty()) {
        return Optional.empty();
      }
      byte[] bytes = body.get().readNBytes(max + 1);
      return bytes.length <= max ? Optional.of(bytes) : Optional.empty();
    }

    /** The body of a 200 text/plain answer as it arrives, or empty for any other answer. */
    static Optional<InputStream> textStream(InputStream in) throws IOException {
      String status = line(in, StandardCharsets.ISO_8859_1);
      if (status == null || !status.matches("HTTP/1\\.[01] 200( .*)?")) {
        return Optional.empty();
      }
      long length = -1;
      boolean chunked = false;
      boolean text = false;
      for (String h = line(in, StandardCharsets.ISO_8859_1); h != null && !h.isEmpty(); h = line(in, StandardCharsets.ISO_8859_1)) {
        int colon = h.indexOf(':');
        if (colon <= 0) {
          return Optional.empty();
        }
        String name = h.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String value = h.substring(colon + 1).strip();
        switch (name) {
          case "content-length" -> length = Long.parseLong(value);
          case "transfer-encoding" -> chunked = value.equalsIgnoreCase("chunked");
          case "content-type" -> text = value.toLowerCase(Locale.ROOT).startsWith("text/plain");
          default -> { }
        }
      }
      if (!text) {
        return Optional.empty();
      }
      if (chunked) {
        return Optional.of(new Chunked(in));
      }
      if (length >= 0) {
        return Optional.of(new Sized(in, length));
      }
      return Optional.of(in); // Connection: close ends the body
    }

    /** One LF-terminated line (a CR before it dropped), or null at the end of the stream. */
    static String line(InputStream in, java.nio.charset.Charset charset) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) != -1) {
        if (c == '\n') {
          byte[] bytes = b.toByteArray();
          int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
          return new String(bytes, 0, end, charset);
        }
        if (b.size() > MAX_BODY) {
          throw new IOException("line too long");
        }
        b.write(c);
      }
      return b.size() == 0 ? null : b.toString(charset);
    }
  }

  /** A body of known length. */
  private static final class Sized extends InputStream {
    private final InputStream in;
    private long left;

    Sized(InputStream in, long length) {
      this.in = in;
      this.left = length;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int c = in.read();
      if (c < 0) {
        throw new IOException("the answer ended " + left + " bytes early");
      }
      left--;
      return c;
    }
  }

  /** A chunked body, decoded as it arrives. */
  private static final class Chunked extends InputStream {
    private final InputStream in;
    private long left;
    private boolean end;

    Chunked(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      if (end) {
        return -1;
      }
      if (left == 0) {
        String size = Http.line(in, StandardCharsets.ISO_8859_1);
        if (size != null && size.isEmpty()) {
          size = Http.line(in, StandardCharsets.ISO_8859_1); // the CRLF after the previous chunk
        }
        if (size == null) {
          throw new IOException("the answer ended inside a chunk header");
        }
        int semi = size.indexOf(';');
        left = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).strip(), 16);
        if (left == 0) {
          end = true;
          return -1;
        }
      }
      int c = in.read();
      if (c < 0) {
        throw new IOException("the answer ended inside a chunk");
      }
      left--;
      return c;
    }
  }
}
