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
   * Makes the image with this manifest digest available to the engine, transferring it from
   * {@code source} only when the engine does not have it yet.
   */
  EnsuredImage ensureImage(ImageSource source);

  /**
   * Creates and starts a node. Throws {@link NameConflict} when a container already has the
   * node's name (herd's or anyone else's), {@link ImageMissing} when the image was never
   * ensured, {@link PortInUse} when the node's port is taken on the host.
   */
  NodeInfo startNode(NodeSpec spec);

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

  /** The node as the engine sees it now, or empty when herd has no node of that name. */
  Optional<NodeInfo> inspectNode(NodeRef node);

  /** Filesystem changes against the image, without the mount points the engine itself made. */
  List<FsChange> diff(NodeRef node);

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
