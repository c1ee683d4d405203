package dev.herd.control;

import dev.herd.spec.Fleet;
import dev.herd.spec.PortRange;
import dev.herd.spec.Spec;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Everything the controller should run for one project: each fleet's settings and release.
 * Fleets not in it are removed on apply.
 */
public record DesiredState(String project, PortRange ports, Map<String, FleetDesired> fleets) {
  public DesiredState {
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(ports, "ports");
    fleets = Map.copyOf(new TreeMap<>(fleets));
    fleets.forEach((k, v) -> {
      if (!k.equals(v.name())) {
        throw new IllegalArgumentException("fleet key " + k + " holds fleet " + v.name());
      }
    });
  }

  /** From a spec and the image digest resolved for each role (by the image catalog). */
  public static DesiredState of(Spec spec, Map<String, String> imageDigestByRole) {
    return of(spec, f -> {
      String digest = imageDigestByRole.get(f.role());
      if (digest == null) {
        throw new IllegalArgumentException("no image resolved for role " + f.role() + " (fleet " + f.name()
            + ", image " + f.image() + "): bake it first");
      }
      return digest;
    });
  }

  /** From a spec and a resolver giving each fleet its image digest (fleets may pin different images). */
  public static DesiredState of(Spec spec, Function<Fleet, String> imageDigestOf) {
    Map<String, FleetDesired> fleets = new TreeMap<>();
    for (Fleet f : spec.fleets().values()) {
      fleets.put(f.name(), FleetDesired.of(f, spec.roleOf(f), spec.environmentOf(f), imageDigestOf.apply(f)));
    }
    return new DesiredState(spec.project().name(), spec.project().ports(), fleets);
  }
}
