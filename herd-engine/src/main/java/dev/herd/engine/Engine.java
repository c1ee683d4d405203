package dev.herd.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where nodes run. herd only ever sees and touches containers that carry its labels for the
 * project it asks about (see {@link Labels}); anything else on the engine is invisible to it.
 *
 * <p>Every method may throw an {@link EngineException}; the subtype says what went wrong.
 */
public interface Engine extends AutoCloseable {

  /** What the engine is (product, version, runtime, cgroup manager) and how herd reached it. */
  EngineInfo info();

  /**
   * What herd can do on this engine: {@code info().capabilities()}, which asks the engine; an
   * engine that knows them without a call (a cluster's are fixed) answers directly.
   */
  default EngineCapabilities capabilities() {
    return info().capabilities();
  }

  /**
   * Makes the image with this manifest digest available to the engine, transferring it from
   * {@code source} only when the engine does not have it yet.
   */
  EnsuredImage ensureImage(ImageSource source);

  /**
   * Creates and starts a node. Throws {@link NameConflict} when a container already has the
   * node's name (herd's or anyone else's), {@link ImageMissing} when the image was never
   * ensured, {@link PortInUse} when the node's port is taken on the host.
   */
  default NodeInfo startNode(NodeSpec spec) {
    return startNode(spec, java.util.Map.of());
  }

  /**
   * Like {@link #startNode(NodeSpec)}, and before the node's process starts, fills each named
   * volume with the tar archive {@code restore} gives for it (entries relative to the volume's
   * root). The caller removes the old volume first when the archive must replace its content.
   */
  NodeInfo startNode(NodeSpec spec, java.util.Map<String, java.nio.file.Path> restore);

  /** herd's named volumes of one project, sorted by name (in use or not). */
  List<VolumeInfo> listVolumes(String project);

  /**
   * Removes one of herd's volumes of the project. Returns false when there is none of that name
   * (a foreign volume of that name is left alone); throws {@link EngineFailure} with status 409
   * when a container still uses it.
   */
  boolean removeVolume(String project, String name);

  /**
   * Writes a tar of one of the node's named volumes (entries relative to the volume's root) to
   * {@code out}. The node may be running or stopped; its container must exist.
   */
  void exportVolume(NodeRef node, String volume, java.io.OutputStream out);

  /**
   * Copies the file {@code source} into the running node as {@code path} (absolute, in a writable
   * scratch directory such as /tmp, a tmpfs even on a read-only root), mode 0600 and owned by
   * {@code owner}: only the node's user can read it. How herd hands a command a file when
   * {@link #exec} has no stdin. Throws {@link EngineFailure} when the node does not run or the
   * directory cannot take the file.
   */
  void copyFileIn(NodeRef node, String path, java.nio.file.Path source, NodeSpec.RunAs owner);

  /**
   * Runs a command in a running node, as the node's user, without stdin, its stdout written to
   * {@code stdout}. The engine reports it as an exec like any other (herd's drift check knows its
   * own). No stdin: docker-java's hijacked exec never closes it, so a reader would wait forever.
   */
  ExecResult exec(NodeRef node, List<String> command, java.io.OutputStream stdout);

  /**
   * Asks the node to stop (SIGTERM), then kills it after {@code grace}. Returns false when no
   * herd node of that name exists (a foreign container of that name is left alone).
   */
  boolean stopNode(NodeRef node, Duration grace);

  /** The signals {@link #signal} sends: the ones a role may reload on, plus TERM and KILL. */
  java.util.Set<String> SIGNALS = java.util.Set.of("HUP", "USR1", "USR2", "INT", "QUIT", "TERM", "WINCH", "KILL");

  /**
   * Sends a signal (a name from {@link #SIGNALS}, without {@code SIG}) to the node's main process,
   * e.g. HUP to make it reload /etc/herd. Returns false when no running herd node of that name
   * exists; a foreign container of that name is never signalled.
   */
  boolean signal(NodeRef node, String signal);

  /**
   * Removes a node (killing it if it still runs) and its secrets directory. Idempotent:
   * returns false when there was nothing of herd's to remove.
   */
  boolean removeNode(NodeRef node);

  /** herd's nodes of one project, in any state, sorted by node name. */
  List<NodeInfo> listNodes(String project);

  /**
   * herd's nodes of one fleet of a project, in any state, sorted by node name: what one
   * reconcile round of that fleet looks at. Engines filter by the fleet's label, so a round costs
   * the fleet's nodes, not the project's.
   */
  default List<NodeInfo> listNodes(String project, String fleet) {
    return listNodes(project).stream().filter(n -> n.fleet().equals(fleet)).toList();
  }

  /**
   * Containers without herd's labels (of any project) whose name starts with one of
   * {@code namePrefixes} or that publish one of {@code hostPorts}, sorted by name. For drift
   * reports only: herd never stops, removes or otherwise touches what this returns.
   */
  List<ForeignContainer> listForeign(java.util.Collection<String> namePrefixes, java.util.Collection<Integer> hostPorts);

  /**
   * Whether the engine's own health check of the node passes now (a Pod's Ready condition from
   * its readiness probe); empty when the engine runs no check of its own, or has no such node.
   * The controller uses it when {@link EngineCapabilities#probesFromHost()} is false.
   */
  default Optional<Boolean> ready(NodeRef node) {
    return Optional.empty();
  }

  /**
   * Puts the node in or out of its fleet's traffic on an engine that
   * {@link EngineCapabilities#routesTraffic() routes traffic};
   * false when herd has no such node. Other engines refuse: herd's front door routes there.
   */
  default boolean setInService(NodeRef node, boolean inService) {
    throw new EngineFailure("this engine does not route traffic: herd's front door does (set in service " + node + ")");
  }

  /** The node as the engine sees it now, or empty when herd has no node of that name. */
  Optional<NodeInfo> inspectNode(NodeRef node);

  /** Filesystem changes against the image, without the mount points the engine itself made. */
  List<FsChange> diff(NodeRef node);

  /**
   * The TCP addresses the node's processes listen on now, as the kernel sees them, sorted; empty
   * when it does not run. Throws {@link EngineFailure} when this host cannot see the node's
   * sockets (a remote engine). For the {@code exposure} drift check: nodes share the host's
   * network, so a listener not on loopback is reachable from other machines.
   */
  List<Listener> listeners(NodeRef node);

  /** One sample of CPU and memory use. */
  NodeStats stats(NodeRef node);

  /** What the node wrote so far (stdout and stderr), from {@code since} (null: everything). */
  List<LogLine> logs(NodeRef node, Instant since);

  /**
   * Streams the node's output from {@code since} (null: everything) to {@code sink} on a
   * background thread, following new lines until the subscription is closed.
   */
  Subscription followLogs(NodeRef node, Instant since, Consumer<LogLine> sink);

  /**
   * Streams lifecycle events of the project's nodes from {@code since} (null: from now) until
   * the subscription is closed. Events of other projects and foreign containers are dropped.
   */
  Subscription events(String project, Instant since, Consumer<EngineEvent> sink);

  /** Releases connections; stops the engine service when herd started it. */
  @Override
  void close();
}
