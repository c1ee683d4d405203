package dev.herd.cli;

import dev.herd.config.ConfigException;
import dev.herd.config.Discovery;
import dev.herd.config.EffectiveConfig;
import dev.herd.config.HerdConfig;
import dev.herd.config.NodeFiles;
import dev.herd.config.Secret;
import dev.herd.engine.NodeSpec;
import dev.herd.image.Images;
import dev.herd.image.archive.ImageUser;
import dev.herd.image.catalog.CatalogImage;
import dev.herd.image.catalog.ImageRef;
import dev.herd.image.oci.Digest;
import dev.herd.image.oci.ImageException;
import dev.herd.kube.KubeNode;
import dev.herd.kube.KubeObjects;
import dev.herd.kube.KubeYaml;
import dev.herd.spec.EngineTarget;
import dev.herd.spec.Environment;
import dev.herd.spec.Fleet;
import dev.herd.spec.Registry;
import dev.herd.spec.Role;
import dev.herd.spec.Spec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code herd render}: the objects herd would apply to an engine, printed for review. */
@Command(name = "render", mixinStandardHelpOptions = true, subcommands = RenderCommand.Kubernetes.class,
    description = "Print the objects herd would apply to an engine.")
public final class RenderCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new CliFailure(HerdCli.USAGE, "say what to render: herd render kubernetes [FLEET] [-e ENV]");
  }

  /** {@code herd render kubernetes}: the Pods, ConfigMaps, Secrets and Services of fleets on a cluster. */
  @Command(name = "kubernetes", mixinStandardHelpOptions = true,
      header = "Print the Kubernetes objects of fleets on a cluster.",
      description = {
          "The exact objects herd would apply for fleets of environments with engine.kubernetes,"
              + " as YAML in apply order (ConfigMaps, Secrets, Pods, Services), for review or to apply yourself (GitOps).",
          "Works offline from herd.yaml and the state directory: images from the catalog (by digest), config, flags"
              + " and secrets from the config service. Nodes are generation 1 (web-1-g1); the controller's per-node"
              + " token is not included.",
          "Secret values are left out (each shows its size, and the Secret carries the annotation herd.redacted=true)"
              + " unless --show-secrets is given: the printout lands in terminals, reviews and CI logs."})
  public static final class Kubernetes implements Callable<Integer> {
    @picocli.CommandLine.Spec CommandSpec spec;
    @Mixin ProjectOptions project;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FLEET", description = "Only this fleet (default: every fleet on a cluster).")
    String fleet;

    @Option(names = {"-e", "--environment"}, paramLabel = "ENV", description = "Only fleets of this environment.")
    String environment;

    @Option(names = "--show-secrets", description = "Print secret values (base64, as Kubernetes stores them) instead of leaving them out.")
    boolean showSecrets;

    @Override
    public Integer call() {
      Spec s = project.loadSpec(null);
      List<Fleet> fleets = select(s, fleet, environment);
      Path state = project.stateDir(s.file());
      Map<String, List<HasMetadata>> byNamespace = new TreeMap<>();
      try (Images images = ImageState.exists(state) ? Images.open(state) : null;
           HerdConfig cfg = HerdConfig.open(state, System.getenv())) {
        Map<String, List<KubeNode>> nodes = new TreeMap<>();
        Map<String, Map<String, Fleet.Expose>> exposed = new TreeMap<>();
        Map<String, Map<String, HasMetadata>> pull = new TreeMap<>();
        for (Fleet f : fleets) {
          EngineTarget.Kubernetes k = s.environmentOf(f).kubernetes().orElseThrow();
          Optional<Registry> registry = k.registry().map(r -> s.registries().get(r.substring(0, r.indexOf('/'))));
          Optional<String> pullSecret = Optional.empty();
          if (registry.isPresent() && registry.get().credentials().isPresent()) {
            HasMetadata ps = PullSecrets.of(cfg, s, k.namespace(), registry.get());
            pull.computeIfAbsent(k.namespace(), x -> new TreeMap<>()).put(ps.getMetadata().getName(), ps);
            pullSecret = Optional.of(ps.getMetadata().getName());
          }
          nodes.computeIfAbsent(k.namespace(), x -> new ArrayList<>()).addAll(nodesOf(s, f, k, images, cfg, pullSecret));
          f.expose().ifPresent(x -> exposed.computeIfAbsent(k.namespace(), y -> new TreeMap<>()).put(f.name(), x));
        }
        nodes.forEach((ns, list) -> byNamespace.put(ns, KubeObjects.forNodes(ns, list, exposed.getOrDefault(ns, Map.of()),
            List.copyOf(pull.getOrDefault(ns, Map.of()).values()))));
      } catch (ConfigException e) {
        throw ConfigClient.failure(e);
      } catch (ImageException e) {
        throw new CliFailure(HerdCli.FAILED, e.getMessage(), e);
      }
      List<HasMetadata> all = new ArrayList<>();
      byNamespace.values().forEach(all::addAll);
      spec.commandLine().getOut().print(KubeYaml.print(all, showSecrets));
      spec.commandLine().getOut().flush();
      return HerdCli.OK;
    }

    /** The fleets to render: on a cluster, of the environment and name asked for. */
    static List<Fleet> select(Spec s, String fleet, String environment) {
      if (environment != null) {
        Environment env = s.environments().get(environment);
        if (env == null) {
          throw new CliFailure(HerdCli.USAGE, "no environment " + environment + " in " + s.file().getFileName()
              + " (declared: " + String.join(", ", s.environments().keySet()) + ")");
        }
        if (env.kubernetes().isEmpty()) {
          throw new CliFailure(HerdCli.USAGE, "environment " + environment + " runs on the local engine;"
              + " render kubernetes needs environments." + environment + ".engine.kubernetes");
        }
      }
      if (fleet != null) {
        Fleet f = s.fleets().get(fleet);
        if (f == null) {
          throw new CliFailure(HerdCli.USAGE, "no fleet " + fleet + " in " + s.file().getFileName()
              + " (declared: " + String.join(", ", s.fleets().keySet()) + ")");
        }
        if (s.environmentOf(f).kubernetes().isEmpty()) {
          throw new CliFailure(HerdCli.USAGE, "fleet " + fleet + " is in environment " + f.environment()
              + ", which runs on the local engine; render kubernetes needs environments." + f.environment() + ".engine.kubernetes");
        }
        if (environment != null && !f.environment().equals(environment)) {
          throw new CliFailure(HerdCli.USAGE, "fleet " + fleet + " is in environment " + f.environment() + ", not " + environment);
        }
        return List.of(f);
      }
      List<Fleet> out = s.fleets().values().stream()
          .filter(f -> s.environmentOf(f).kubernetes().isPresent())
          .filter(f -> environment == null || f.environment().equals(environment))
          .toList();
      if (out.isEmpty()) {
        throw new CliFailure(HerdCli.USAGE, "no fleet runs on Kubernetes"
            + (environment != null ? " in environment " + environment : "")
            + "; give an environment engine: {kubernetes: {namespace: NAME}} (docs/spec.md)");
      }
      return out;
    }

    private static List<KubeNode> nodesOf(Spec s, Fleet f, EngineTarget.Kubernetes k, Images images, HerdConfig cfg,
        Optional<String> pullSecret) {
      Role role = s.roleOf(f);
      if (images == null) {
        throw new CliFailure(HerdCli.FAILED, "fleet " + f.name() + ": no image of role " + role.name() + " yet (herd bake " + role.name() + ")");
      }
      CatalogImage image = images.resolve(ImageRef.parse(f.role() + ":" + f.image()));
      String digest = image.digest().toString();
      ImageUser user = ImageUser.of(images.store(), Digest.parse(digest));
      EffectiveConfig config = cfg.config().list(s, f.environment(), f.role());
      Map<String, Long> secretRevisions = cfg.secrets().revisions(s, f.environment(), f.role());
      Map<String, byte[]> secrets = cfg.secrets().materialize(f.environment(), f.role(), secretRevisions);
      String release = releaseId(digest, config.revision(), secretRevisions);
      Optional<String> registry = k.registry().map(r -> {
        Registry named = s.registries().get(r.substring(0, r.indexOf('/')));
        return named == null ? r : named.host() + r.substring(r.indexOf('/'));
      });
      String imageRef = KubeNode.imageRef(registry, f.role(), digest);
      int port = KubeObjects.NODE_PORT;
      List<KubeNode> out = new ArrayList<>();
      try {
        for (int i = 1; i <= f.count(); i++) {
          String node = f.nodeName(i) + "-g1";
          Map<String, String> env = new TreeMap<>(config.asMap());
          NodeSpec spec = NodeSpec.builder().project(s.project().name()).fleet(f.name()).node(node).generation(1)
              .releaseId(release).imageDigest(digest)
              .command(role.command().stream().map(a -> a.replace("${PORT}", Integer.toString(port))
                  .replace("${HOST}", dev.herd.kube.KubeObjects.POD_HOST)).toList())
              .env(env).readOnlyRoot(f.readOnlyRoot()).writablePaths(role.writable()).port(port)
              .memoryBytes(f.limits().memoryBytes().orElse(0)).cpus(f.limits().cpus().orElse(0))
              .runAs(new NodeSpec.RunAs(user.uid(), user.gid())).secrets(secrets).build();
          Map<String, byte[]> files = NodeFiles.files(new NodeFiles.Content(f.name(), node, config,
              cfg.flags().snapshot(f.environment()), Discovery.EMPTY));
          out.add(new KubeNode(spec, files, role.health(), imageRef, pullSecret, true));
        }
      } finally {
        secrets.values().forEach(v -> Arrays.fill(v, (byte) 0));
      }
      return out;
    }

    /** What herd's release pins, as an id: the same image, config and secrets render the same names. */
    static String releaseId(String digest, long configRevision, Map<String, Long> secretRevisions) {
      try {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update((digest + "|" + configRevision + "|" + new TreeMap<>(secretRevisions)).getBytes(StandardCharsets.UTF_8));
        return "render-" + HexFormat.of().formatHex(d.digest()).substring(0, 12);
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
