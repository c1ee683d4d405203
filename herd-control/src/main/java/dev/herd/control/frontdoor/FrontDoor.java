package dev.herd.control.frontdoor;

import dev.herd.common.files.PrivateFiles;
import dev.herd.control.frontdoor.RuntimeApi.ServerState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The project's HAProxy, started by herd and left running on its own: a SIGKILLed controller
 * leaves it serving, and the next controller adopts it by its pid file and Runtime API socket.
 * Files live in {@code dir} (0700, under {@code .herd/}).
 */
public final class FrontDoor {
  private static final Logger LOG = LoggerFactory.getLogger(FrontDoor.class);

  private final String project;
  private final Path dir;
  private final String haproxy;
  private final RuntimeApi api;
  /** How often a drain looks at a server's connections. */
  private static final Duration IDLE_POLL = Duration.ofMillis(50);
  /** How long a deletion waits for the sessions {@code shutdown sessions} marked to end. */
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(2);

  private final Map<String, Instant> drainingSince = new java.util.concurrent.ConcurrentHashMap<>();
  /** What the last reconcile served, for rewriting the configuration after a drain. */
  private volatile List<Backend> lastBackends = List.of();
  /** Per fleet, the servers HAProxy was last made to serve (what status may call in service). */
  private final Map<String, java.util.Set<String>> serving = new java.util.concurrent.ConcurrentHashMap<>();
  /** The frontends HAProxy was started with: a new or moved listener needs a reload. */
  private String listeners = "";

  public FrontDoor(String project, Path dir, String haproxyBinary) {
    this.project = project;
    this.dir = dir;
    this.haproxy = haproxyBinary;
    this.api = new RuntimeApi(dir.resolve("runtime.sock"));
  }

  public Path config() {
    return dir.resolve("haproxy.cfg");
  }

  public Path pidFile() {
    return dir.resolve("haproxy.pid");
  }

  public Path masterSocket() {
    return dir.resolve("master.sock");
  }

  public RuntimeApi api() {
    return api;
  }

  /** The running master's pid, when the pid file names a live haproxy that answers on its socket. */
  public Optional<Long> running() {
    try {
      if (!Files.exists(pidFile())) {
        return Optional.empty();
      }
      long pid = Long.parseLong(Files.readString(pidFile()).lines().findFirst().orElse("").strip());
      Optional<ProcessHandle> p = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
          .filter(h -> h.info().command().map(c -> c.endsWith("haproxy")).orElse(false));
      if (p.isEmpty()) {
        return Optional.empty();
      }
      api.send("show info");
      return Optional.of(pid);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Makes HAProxy serve {@code backends}: starts it or adopts the running one (reloading only
   * when listeners change), then changes servers through the Runtime API and rewrites the
   * configuration with the set it now serves.
   */
  public void reconcile(List<Backend> backends, Instant now) throws IOException {
    PrivateFiles.directories(dir);
    String wanted = listenersOf(backends);
    Optional<Long> pid = running();
    if (pid.isEmpty()) {
      serving.clear();
      writeConfig(backends);
      start();
      listeners = wanted;
      backends.forEach(this::serves);
      LOG.info("front door: started haproxy for project {} ({} fleet(s))", project, backends.size());
      return;
    }
    if (listeners.isEmpty()) {
      listeners = listenersInFile();
      LOG.info("front door: adopted the running haproxy (pid {}) of project {}", pid.get(), project);
    }
    if (!listeners.equals(wanted)) {
      // Carry the servers HAProxy serves now into the new file so the reload loses none.
      writeConfig(withServersServed(backends));
      reload();
      listeners = wanted;
    }
    lastBackends = List.copyOf(backends);
    boolean changed = false;
    for (Backend be : backends) {
      List<ServerState> have = api.servers(be.name());
      List<ServerPlan.Step> steps = ServerPlan.plan(be.servers(), have, drainingSince, now, be.expose().drainTimeout(),
          be.expose().maxConnections());
      if (!steps.isEmpty()) {
        // One write for the whole backend: a blue/green switch (new servers in, old ones out)
        // or a canary's new weights land together, never half.
        api.batch(commands(be.name(), be.sticky(), steps));
        delete(be.name(), steps);
        for (ServerPlan.Step step : steps) {
          note(be, step, now);
        }
        changed = true;
      }
      serves(be);
    }
    serving.keySet().retainAll(backends.stream().map(Backend::fleet).toList());
    if (changed) {
      writeConfig(withServersServed(backends));
    }
  }

  private void serves(Backend be) {
    serving.put(be.fleet(), be.servers().stream().map(Server::name).collect(java.util.stream.Collectors.toUnmodifiableSet()));
  }

  /**
   * The servers of {@code fleet} that HAProxy takes requests to since this process's last
   * successful reconcile: a node the controller has just found ready is not among them until
   * the Runtime API has it, so nobody is told to send traffic before the door does.
   */
  public java.util.Set<String> serving(String fleet) {
    return serving.getOrDefault(fleet, java.util.Set.of());
  }

  /** The Runtime API commands of one backend's steps, in the plan's order (adds first). */
  static List<String> commands(String backend, boolean sticky, List<ServerPlan.Step> steps) {
    List<String> out = new ArrayList<>();
    for (ServerPlan.Step step : steps) {
      String ref = backend + "/" + step.server();
      switch (step) {
        case ServerPlan.Add a -> {
          out.add("add server " + ref + " " + a.add().address() + " weight " + a.add().weight()
              + (a.maxConnections() > 0 ? " maxconn " + a.maxConnections() : ""));
          out.add("enable server " + ref);
        }
        case ServerPlan.Ready r -> out.add("set server " + ref + " state ready");
        case ServerPlan.Weight w -> out.add("set server " + ref + " weight " + w.weight());
        case ServerPlan.Limit l -> out.add("set maxconn server " + ref + " " + l.maxConnections());
        // a sticky client is let onto a draining server; out of a server in maintenance it is
        // redispatched at once (requests in flight finish either way)
        case ServerPlan.Drain d -> out.add("set server " + ref + " state " + (sticky ? "maint" : "drain"));
        case ServerPlan.Delete d -> {
          out.add("set server " + ref + " state maint");
          out.add("shutdown sessions server " + ref);
        }
      }
    }
    return out;
  }

  /**
   * Deletes the servers the plan's {@link ServerPlan.Delete} steps took out (already in
   * maintenance, their sessions shut). {@code shutdown sessions} only marks the sessions: they
   * end at their next wake-up, and HAProxy refuses {@code del server} while one is attached, so
   * the deletion waits (at most {@link #SHUTDOWN_WAIT}) until the server holds none.
   */
  private void delete(String backend, List<ServerPlan.Step> steps) throws IOException {
    List<String> gone = steps.stream().filter(st -> st instanceof ServerPlan.Delete).map(ServerPlan.Step::server).toList();
    if (gone.isEmpty()) {
      return;
    }
    awaitIdleIn(backend, gone, SHUTDOWN_WAIT);
    api.batch(gone.stream().map(server -> "del server " + backend + "/" + server).toList());
  }

  private void note(Backend be, ServerPlan.Step step, Instant now) {
    switch (step) {
      case ServerPlan.Add a -> LOG.info("front door: fleet {}: {} in service at {} (weight {})", be.fleet(), a.server(),
          a.add().address(), a.add().weight());
      case ServerPlan.Ready r -> drainingSince.remove(r.server());
      case ServerPlan.Weight w -> LOG.info("front door: fleet {}: {} weight {}", be.fleet(), w.server(), w.weight());
      case ServerPlan.Limit l -> LOG.info("front door: fleet {}: {} connection limit {}", be.fleet(), l.server(),
          l.maxConnections() == 0 ? "none" : Integer.toString(l.maxConnections()));
      case ServerPlan.Drain d -> {
        drainingSince.putIfAbsent(d.server(), now);
        LOG.info("front door: fleet {}: draining {}", be.fleet(), d.server());
      }
      case ServerPlan.Delete d -> {
        drainingSince.remove(d.server());
        LOG.info("front door: fleet {}: removed {}", be.fleet(), d.server());
      }
    }
  }

  /**
   * Waits, without blocking other changes, until {@code servers} of {@code fleet}'s backend
   * have no connection left (or are gone), or {@code timeout} passes. Returns whether they
   * emptied.
   */
  public boolean awaitIdle(String fleet, Collection<String> servers, Duration timeout) throws IOException {
    return awaitIdleIn(Backend.nameOf(fleet), servers, timeout);
  }

  private boolean awaitIdleIn(String backend, Collection<String> servers, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean busy = false;
      for (ServerState s : api.servers(backend)) {
        busy |= servers.contains(s.name()) && s.sessions() > 0;
      }
      if (!busy) {
        return true;
      }
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      try {
        Thread.sleep(IDLE_POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while draining " + servers);
      }
    }
  }

  /**
   * Takes drained {@code servers} out of {@code fleet}'s backend in one write (maintenance, what
   * is left closed, deleted) and rewrites the configuration without them. Servers HAProxy does
   * not have are skipped.
   */
  public void retire(String fleet, Collection<String> servers) throws IOException {
    String backend = Backend.nameOf(fleet);
    List<ServerPlan.Step> steps = new ArrayList<>();
    for (ServerState s : api.servers(backend)) {
      if (servers.contains(s.name())) {
        steps.add(new ServerPlan.Delete(s.name()));
      }
    }
    if (steps.isEmpty()) {
      return;
    }
    api.batch(commands(backend, false, steps));
    delete(backend, steps);
    for (ServerPlan.Step step : steps) {
      drainingSince.remove(step.server());
      LOG.info("front door: fleet {}: removed {} (drained)", fleet, step.server());
    }
    if (!lastBackends.isEmpty()) {
      writeConfig(withServersServed(lastBackends));
    }
  }

  /** HAProxy's counters of every exposed fleet ({@code show stat}). */
  public Map<String, StatCounters> counters() throws IOException {
    return StatCounters.parse(api.send("show stat"));
  }

  /** Stops HAProxy (herd down): the master ends its workers. */
  public boolean stop() throws IOException {
    Optional<Long> pid = running();
    pid.flatMap(ProcessHandle::of).ifPresent(p -> {
      p.destroy();
      try {
        p.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        p.destroyForcibly();
      }
    });
    Files.deleteIfExists(pidFile());
    Files.deleteIfExists(api.socket());
    Files.deleteIfExists(masterSocket());
    listeners = "";
    serving.clear();
    return pid.isPresent();
  }

  private void start() throws IOException {
    check();
    Files.deleteIfExists(api.socket());
    Files.deleteIfExists(masterSocket());
    // -D: the master detaches into its own session, so it outlives this JVM.
    Process p = new ProcessBuilder(haproxy, "-W", "-D", "-S", masterSocket() + ",mode,600", "-p", pidFile().toString(),
        "-f", config().toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (p.waitFor() != 0) {
        throw new IOException("haproxy did not start: " + firstAlert(out));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted starting haproxy");
    }
    PrivateFiles.restrict(pidFile(), PrivateFiles.FILE);
  }

  /** haproxy -c: a refused configuration names its line. */
  private void check() throws IOException {
    Process p = new ProcessBuilder(haproxy, "-c", "-q", "-f", config().toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (p.waitFor() != 0) {
        throw new IOException("haproxy refused " + config() + ": " + firstAlert(out));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted checking the haproxy configuration");
    }
  }

  private void reload() throws IOException {
    check();
    String answer = new RuntimeApi(masterSocket()).send("reload");
    LOG.info("front door: reloaded haproxy for new listeners{}", answer.isBlank() ? "" : " (" + answer.strip() + ")");
  }

  static String firstAlert(String output) {
    return output.lines().filter(l -> l.contains("[ALERT]")).findFirst()
        .or(() -> output.lines().filter(l -> !l.isBlank()).findFirst()).orElse("no output").strip();
  }

  private void writeConfig(List<Backend> backends) throws IOException {
    PrivateFiles.replace(config(), HaproxyConfig.render(project, api.socket(), backends).getBytes(StandardCharsets.UTF_8));
  }

  /** The backends with the servers HAProxy serves now (drains included), for the file. */
  private List<Backend> withServersServed(List<Backend> backends) throws IOException {
    List<Backend> out = new ArrayList<>();
    for (Backend be : backends) {
      List<Server> served = new ArrayList<>();
      for (ServerState s : serversOrNone(be.name())) {
        int colon = s.address().lastIndexOf(':');
        if (colon > 0 && !s.maintenance()) {
          served.add(new Server(s.name(), s.address().substring(0, colon), Integer.parseInt(s.address().substring(colon + 1)), s.weight()));
        }
      }
      Map<String, Server> byName = served.stream().collect(Collectors.toMap(Server::name, s -> s, (a, b) -> a));
      be.servers().forEach(s -> byName.putIfAbsent(s.name(), s));
      out.add(new Backend(be.fleet(), be.expose(), List.copyOf(byName.values()), be.sticky()));
    }
    return out;
  }

  private List<ServerState> serversOrNone(String backend) throws IOException {
    return api.servers(backend);
  }

  /** The listeners of the file the running HAProxy was started or reloaded with. */
  private String listenersInFile() {
    try {
      return listenersIn(Files.readString(config()));
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * What of a configuration only a reload changes, as {@link #listenersOf} writes it: each
   * frontend's mode and address, and whether its backend is sticky.
   */
  static String listenersIn(String config) {
    List<String> out = new ArrayList<>();
    boolean frontend = false;
    for (String l : config.lines().toList()) {
      if (!l.startsWith(" ")) {
        frontend = l.startsWith("frontend ");
        if (frontend) {
          out.add(l);
        }
      } else if (frontend && (l.startsWith("  mode ") || l.startsWith("  bind "))) {
        out.add(l);
      } else if (!frontend && l.startsWith("  stick on ")) {
        out.add("  # sticky");
      }
    }
    return String.join("\n", out);
  }

  static String listenersOf(List<Backend> backends) {
    // the mode (http or tcp) and a sticky backend's cookie rules are in the file too: changing
    // them needs a reload, as a new address does
    return backends.stream().map(b -> "frontend " + b.name() + "\n  mode " + (b.expose().protocol() == dev.herd.spec.Fleet.Protocol.HTTP
        ? "http" : "tcp") + "\n  bind " + b.expose().address() + (b.sticky() ? "\n  # sticky" : "")).collect(Collectors.joining("\n"));
  }
}
