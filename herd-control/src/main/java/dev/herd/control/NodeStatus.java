package dev.herd.control;

import dev.herd.control.state.NodePhase;
import java.time.Instant;

/**
 * One node as status reports it.
 *
 * @param name the node's stable name (web-3); {@code engineName} adds the generation (web-3-g2)
 * @param inService healthy and on the side that takes traffic (blue/green: the old set until
 *     the switch, the new one after)
 * @param reason why the node is in its phase (exit code, health failure, quarantine), or empty
 * @param until for a quarantined node: when herd removes the kept container
 */
public record NodeStatus(
    String name,
    String engineName,
    long generation,
    String release,
    int port,
    NodePhase phase,
    boolean inService,
    String containerId,
    Instant createdAt,
    Instant startedAt,
    Instant healthySince,
    String reason,
    Instant until) {}
