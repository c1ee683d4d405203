package dev.herd.spec;

import java.util.Objects;
import java.util.Optional;

/**
 * A channel's settings ({@code channels.NAME}). With {@code push}, {@code herd promote ROLE:V NAME}
 * also pushes the image to {@code <push>/<role>:<channel>}.
 *
 * @param push {@code REGISTRY/PATH}: REGISTRY a key of registries or a host[:port]; empty: no push
 */
public record Channel(String name, Optional<String> push, Location location) {
  public Channel {
    Names.requireName("channel", name);
    push = push == null ? Optional.empty() : push;
    Objects.requireNonNull(location, "location");
  }

  /** Where an image of {@code role} goes when promoted to this channel, or empty. */
  public Optional<String> destination(String role) {
    return push.map(p -> p + "/" + role + ":" + name);
  }
}
