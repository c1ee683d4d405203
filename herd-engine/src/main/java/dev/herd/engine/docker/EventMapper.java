package dev.herd.engine.docker;

import com.github.dockerjava.api.model.Event;
import dev.herd.engine.EngineEvent;
import dev.herd.engine.Labels;
import dev.herd.engine.NodeRef;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns engine events into herd's, keeping only the project's nodes. Podman and Docker put the
 * container's labels in the event attributes; ids seen with labels are remembered so a later
 * event without them (some engines drop labels on remove) is still attributed.
 */
final class EventMapper {
  private final String project;
  private final Map<String, NodeRef> known = new ConcurrentHashMap<>();

  EventMapper(String project) {
    this.project = project;
  }

  Optional<EngineEvent> map(Event e) {
    String id = e.getId() != null ? e.getId() : e.getActor() == null ? null : e.getActor().getId();
    if (id == null) {
      return Optional.empty();
    }
    Map<String, String> attrs = e.getActor() == null || e.getActor().getAttributes() == null
        ? Map.of() : e.getActor().getAttributes();
    NodeRef node;
    if (attrs.containsKey(Labels.MANAGED) || attrs.containsKey(Labels.PROJECT)) {
      if (!Labels.isHerdNode(attrs, project)) {
        return Optional.empty();
      }
      node = new NodeRef(project, attrs.get(Labels.NODE));
      known.put(id, node);
    } else {
      node = known.get(id);
      if (node == null) {
        return Optional.empty();
      }
    }
    Instant time = e.getTimeNano() != null && e.getTimeNano() > 0
        ? Instant.ofEpochSecond(0, e.getTimeNano())
        : Instant.ofEpochSecond(e.getTime() == null ? 0 : e.getTime());
    String action = e.getAction() != null ? e.getAction() : String.valueOf(e.getStatus());
    return Optional.of(switch (action) {
      case "create" -> new EngineEvent.Created(time, node, id);
      case "start" -> new EngineEvent.Started(time, node, id);
      case "die", "died" -> new EngineEvent.Died(time, node, id, exitCode(attrs));
      case "oom" -> new EngineEvent.OutOfMemory(time, node, id);
      case "pause" -> new EngineEvent.Paused(time, node, id);
      case "unpause" -> new EngineEvent.Unpaused(time, node, id);
      case "restart" -> new EngineEvent.Restarted(time, node, id);
      case "remove", "destroy" -> new EngineEvent.Removed(time, node, id);
      // Podman says "exec" (newer versions may carry the command in an attribute); Docker says
      // "exec_start: <cmd>"
      case "exec" -> new EngineEvent.Exec(time, node, id, attrs.getOrDefault("execCommand", ""));
      default -> action.startsWith("exec_start")
          ? new EngineEvent.Exec(time, node, id, action.indexOf(':') > 0 ? action.substring(action.indexOf(':') + 1) : "")
          : new EngineEvent.Other(time, node, id, action.contains(":") ? action.substring(0, action.indexOf(':')) : action);
    });
  }

  private static int exitCode(Map<String, String> attrs) {
    String v = attrs.getOrDefault("exitCode", attrs.get("containerExitCode"));
    try {
      return v == null ? -1 : Integer.parseInt(v.trim());
    } catch (NumberFormatException ex) {
      return -1;
    }
  }
}
