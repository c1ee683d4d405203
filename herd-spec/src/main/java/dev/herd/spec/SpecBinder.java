package dev.herd.spec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Turns the checked document into a {@link Spec}, or leaves every problem in {@link Problems}. */
final class SpecBinder extends Binding {
  SpecBinder(Problems problems, Path dir) {
    super(problems, dir);
  }

  Optional<Spec> bind(Fields root, Path file, String digest) {
    Fields p = root.obj("project");
    PortRange ports = p.get("ports", PortRange.class, PortRange.DEFAULT);
    Optional<Project> project = root.has("project")
        ? guard(root.keyLocOf("project"), "project", () -> new Project(p.string("name"), ports, root.keyLocOf("project")))
        : Optional.empty();

    Val.Entries roleEntries = root.entries("roles");
    if (root.has("roles") && roleEntries.keyLocs().isEmpty()) {
      problems.add(root.locOf("roles"), "roles", "declare at least one role");
    }
    Map<String, Role> roles = new LinkedHashMap<>();
    RoleReader roleReader = new RoleReader(problems, dir);
    roleEntries.values().forEach((name, v) ->
        roleReader.read(name, (Fields) v, roleEntries.keyLocs().get(name)).ifPresent(r -> roles.put(name, r)));

    Val.Entries registryEntries = root.entries("registries");
    Val.Entries envEntries = root.entries("environments");
    Map<String, Environment> envs = new LinkedHashMap<>();
    RegistryReader engineReader = new RegistryReader(problems, dir);
    envEntries.values().forEach((name, v) -> {
      Fields e = (Fields) v;
      Location at = envEntries.keyLocs().get(name);
      engineReader.readEngine(e, registryEntries.keyLocs().keySet()).flatMap(engine ->
          guard(at, e.path(), () -> new Environment(name, e.string("description"), e.texts("config"), engine, at)))
          .ifPresent(env -> envs.put(name, env));
    });

    Val.Entries fleetEntries = root.entries("fleets");
    Map<String, Fleet> fleets = new LinkedHashMap<>();
    Map<String, Fields> fleetFields = new LinkedHashMap<>();
    FleetReader fleetReader = new FleetReader(problems, dir);
    fleetEntries.values().forEach((name, v) -> {
      Fields f = (Fields) v;
      fleetFields.put(name, f);
      fleetReader.read(name, f, fleetEntries.keyLocs().get(name), roleEntries.keyLocs().keySet(), roles,
          envEntries.keyLocs().keySet()).ifPresent(fl -> fleets.put(name, fl));
    });
    fleetReader.checkNodeNames(fleetFields);
    fleetReader.checkDependencies(fleetFields);
    fleetReader.checkPorts(p, ports, fleets.values());
    if (project.isPresent()) {
      fleetReader.checkVolumes(project.get().name(), fleetFields, fleets.values());
    }
    fleetReader.checkExposed(fleetFields, ports, fleets.values());

    Map<String, Registry> registries = new LinkedHashMap<>();
    RegistryReader registryReader = new RegistryReader(problems, dir);
    registryEntries.values().forEach((name, v) ->
        registryReader.read(name, (Fields) v, registryEntries.keyLocs().get(name)).ifPresent(r -> registries.put(name, r)));

    Val.Entries channelEntries = root.entries("channels");
    Map<String, Channel> channels = new LinkedHashMap<>();
    channelEntries.values().forEach((name, v) -> registryReader.readChannel(name, (Fields) v, channelEntries.keyLocs().get(name),
        registryEntries.keyLocs().keySet()).ifPresent(c -> channels.put(name, c)));

    if (problems.any() || project.isEmpty()) {
      return Optional.empty();
    }
    return guard(Location.start(file), "", () -> new Spec(project.get(), roles, envs, fleets, registries, channels, file, digest));
  }
}
