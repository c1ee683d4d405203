package dev.herd.engine;

import java.util.List;
import java.util.Objects;

/**
 * A container that is not herd's (no herd labels of any project) but looks like it competes with
 * herd's nodes: it uses a node name herd would use or publishes a port herd leases. herd reports
 * such containers and never stops or removes them.
 *
 * @param name the container name without the leading slash
 * @param ports host ports the container publishes (empty with host networking)
 */
public record ForeignContainer(String id, String name, String image, String state, List<Integer> ports) {
  public ForeignContainer {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    image = image == null ? "" : image;
    state = state == null ? "" : state;
    ports = List.copyOf(ports);
  }
}
