package dev.herd.spec;

import java.util.Objects;

/** The project: its name (prefix of images and labels) and the host ports nodes get. */
public record Project(String name, PortRange ports, Location location) {
  public Project {
    Names.requireName("project", name);
    Objects.requireNonNull(ports, "ports");
    Objects.requireNonNull(location, "location");
  }
}
