package dev.herd.control.frontdoor;

import dev.herd.common.files.PrivateFiles;
import dev.herd.control.frontdoor.RuntimeApi.ServerState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
  private final Map<String, Instant> drainingSince = new HashMap<>();
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
      writeConfig(backends);
      start();
      listeners = wanted;
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
    boolean changed = false;
    for (Backend be : backends) {
      List<ServerState> have = api.servers(be.name());
      for (ServerPlan.Step step : ServerPlan.plan(be.servers(), have, drainingSince, now, be.expose().drainTimeout())) {
        apply(be, step, now);
        changed = true;
      }
    }
    if (changed) {
      writeConfig(withServersServed(backends));
    }
  }

  private void apply(Backend be, ServerPlan.Step step, Instant now) throws IOException {
    String ref = be.name() + "/" + step.server();
    switch (step) {
      case ServerPlan.Add a -> {
        api.change("add server " + ref + " " + a.add().address() + " weight " + a.add().weight());
        api.change("enable server " + ref);
        LOG.info("front door: fleet {}: {} in service at {}", be.fleet(), a.server(), a.add().address());
      }
      case ServerPlan.Ready r -> {
        api.change("set server " + ref + " state ready");
        drainingSince.remove(r.server());
      }
      case ServerPlan.Weight w -> api.change("set server " + ref + " weight " + w.weight());
      case ServerPlan.Drain d -> {
        api.change("set server " + ref + " state drain");
        drainingSince.put(d.server(), now);
        LOG.info("front door: fleet {}: draining {}", be.fleet(), d.server());
      }
      case ServerPlan.Delete d -> {
        api.change("set server " + ref + " state maint");
        api.change("shutdown sessions server " + ref);
        api.change("del server " + ref);
        drainingSince.remove(d.server());
        LOG.info("front door: fleet {}: removed {}", be.fleet(), d.server());
      }
    }
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
      out.add(new Backend(be.fleet(), be.expose(), List.copyOf(byName.values())));
    }
    return out;
  }

  private List<ServerState> serversOrNone(String backend) throws IOException {
    return api.servers(backend);
  }

  /** The listeners of the file the running HAProxy was started or reloaded with. */
  private String listenersInFile() {
    try {
      return Files.readString(config()).lines().filter(l -> l.startsWith("frontend ") || l.startsWith("  bind "))
          .collect(Collectors.joining("\n"));
    } catch (IOException e) {
      return "";
    }
  }

  private static String listenersOf(List<Backend> backends) {
    return backends.stream().map(b -> "frontend " + b.name() + "\n  bind " + b.expose().address()).collect(Collectors.joining("\n"));
  }
}
