package dev.herd.spec;

import dev.herd.spec.Shape.Field;
import dev.herd.spec.Shape.Kind;
import dev.herd.spec.Shape.ListOf;
import dev.herd.spec.Shape.MapOf;
import dev.herd.spec.Shape.Obj;
import dev.herd.spec.Shape.Scalar;
import dev.herd.spec.Shape.Variant;
import dev.herd.spec.Shape.Variants;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Every key of herd.yaml, defined once: read by the loader, turned into the JSON Schema. */
final class SpecKeys {
  private SpecKeys() {}

  // ---- scalar kinds
  static final Scalar STRING = Scalar.of(Kind.STRING, "a string");
  static final Scalar TEXT = Scalar.of(Kind.TEXT, "a string, number or boolean");
  static final Scalar NAME =
      STRING.matching(Names.NAME, "a name of " + Names.NAME_RULE);
  static final Scalar ACCOUNT =
      Scalar.of(Kind.STRING, "an account name like www (lowercase letters, digits, '_' and '-')")
          .matching(Pattern.compile("[a-z_][a-z0-9_-]{0,31}"), "an account name like www (lowercase letters, digits, '_' and '-')");
  static final Scalar ID =
      Scalar.of(Kind.ID, "a user or group name, or a numeric id")
          .matching(Pattern.compile("[a-z_][a-z0-9_-]{0,31}|[0-9]{1,10}"), "a user or group name, or a numeric id");
  static final Scalar PACKAGE =
      STRING.matching(
          Pattern.compile("[a-z0-9][a-z0-9+.-]*(=[A-Za-z0-9.+~:-]+)?"),
          "a Debian package name like busybox-static (optionally name=version)");
  static final Scalar SHA256 = STRING.matching(Pattern.compile("[0-9a-f]{64}"), "64 lowercase hex digits");
  static final Scalar MIRROR =
      STRING.matching(Pattern.compile("(https?|file)://\\S+|deb\\s[\\s\\S]+"),
          "a mirror URL like http://deb.debian.org/debian (or apt lines starting with \"deb \")");
  static final Scalar BOOL = Scalar.of(Kind.BOOL, "true or false");
  static final Scalar NUMBER = Scalar.of(Kind.NUMBER, "a number");
  static final Scalar DURATION = Scalar.of(Kind.DURATION, Durations.WHAT);
  static final Scalar SIZE = Scalar.of(Kind.SIZE, Size.WHAT);
  static final Scalar MODE = Scalar.of(Kind.MODE, Mode.WHAT);
  static final Scalar PORTS = Scalar.of(Kind.PORT_RANGE, PortRange.WHAT);
  static final Scalar AMOUNT = Scalar.of(Kind.AMOUNT, Amount.WHAT);
  static final Scalar IMAGE_REF = Scalar.of(Kind.IMAGE_REF, ImageRef.WHAT);
  static final Scalar NAME_PATTERN = Scalar.of(Kind.NAME_PATTERN, "a node name pattern like \"web-{n}\"");
  static final Scalar ABS_PATH = Scalar.of(Kind.ABS_PATH, "an absolute path like /srv/www");
  static final Scalar LINK_TARGET = Scalar.of(Kind.LINK_TARGET, "a path like /etc/herd/config.json or ../lib");
  static final Scalar REL_PATH = Scalar.of(Kind.REL_PATH, "a path relative to herd.yaml's directory, like templates/index.html.j2");

  static Scalar integer(long min, long max) {
    return Scalar.of(Kind.INT, "a whole number").between(min, max);
  }

  static <E extends Enum<E> & Keyword> Scalar oneOf(Class<E> type) {
    List<String> words = Arrays.stream(type.getEnumConstants()).map(Keyword::keyword).toList();
    return new Scalar(Kind.ENUM, "one of " + Texts.orList(words), Optional.empty(), words, Optional.empty(), Optional.empty());
  }

  static ListOf listOf(Shape item) {
    return new ListOf(item, false);
  }

  static ListOf nonEmptyListOf(Shape item) {
    return new ListOf(item, true);
  }

  static MapOf namedMap(String things, Shape value) {
    return new MapOf("a map of " + things + " by name", value, Names.NAME, Names.NAME_RULE, Optional.empty());
  }

  static MapOf envMap(Shape value, Optional<String> secretRefusal) {
    return new MapOf("a map of NAME: value", value, Names.ENV_NAME, Names.ENV_NAME_RULE, secretRefusal);
  }

  static Obj obj(Field... fields) {
    return new Obj(List.of(fields), List.of());
  }

  static Field req(String name, Shape shape, String description) {
    return new Field(name, shape, true, null, description);
  }

  static Field opt(String name, Shape shape, String description) {
    return new Field(name, shape, false, null, description);
  }

  static Field opt(String name, Shape shape, Object defaultValue, String description) {
    return new Field(name, shape, false, defaultValue, description);
  }

  static Variant variant(String kind, Shape value, String description, Obj rest) {
    return new Variant(kind, value, description, rest);
  }

  // ---- the document

  static final Obj PROJECT =
      obj(
          req("name", NAME, "Project name; prefixes images, containers and labels."),
          opt("ports", PORTS, "18000-18999", "Host port range herd assigns nodes from."));

  static final Obj DEBIAN =
      obj(
          opt("suite", STRING, "bookworm", "Debian suite (codename)."),
          opt("variant", oneOf(Base.Variant.class), "extract", "extract: only the listed packages (distroless); minbase: keeps apt/dpkg."),
          opt("mirror", MIRROR, Base.Debian.DEFAULT_MIRROR, "Debian mirror URL, or apt source lines starting with \"deb \"."),
          opt("packages", listOf(PACKAGE), "Packages in the base layer."));

  static final Obj IMAGE =
      obj(
          opt("path", REL_PATH, "The image: an OCI layout directory, OCI archive or docker archive, relative to herd.yaml."),
          opt("format", oneOf(Base.ImageFormat.class), "How the image at path is stored (required with path)."),
          opt("ref", STRING, "With path: the tag to pick in the layout or archive. Without path: a registry image "
              + "REGISTRY/REPO[:TAG], resolved to a digest at bake time and pinned in herd.lock."),
          opt("allow_devices", BOOL, false, "Keep device nodes found in the image."));

  static final Obj BASE =
      obj(
              opt("scratch", obj(), "An empty root filesystem."),
              opt("debian", DEBIAN, "Debian built with mmdebstrap."),
              opt("image", IMAGE, "An existing image from a file (path) or a registry (ref)."))
          .exactlyOneOf("scratch", "debian", "image");

  static final Field MODE_0644 = opt("mode", MODE, "0644", "File mode, a quoted octal string.");
  static final Field OWNER = opt("owner", ID, "root", "Owner: user name or uid.");
  static final Field GROUP = opt("group", ID, "root", "Group: group name or gid.");

  static final Variants RESOURCE =
      new Variants(
          List.of(
              variant("group", ACCOUNT, "A group in /etc/group.",
                  obj(opt("gid", integer(0, Integer.MAX_VALUE), "Group id (default: next free system/user id)."),
                      opt("system", BOOL, false, "Allocate from the system id range."))),
              variant("user", ACCOUNT, "A user in /etc/passwd (password locked).",
                  obj(opt("uid", integer(0, Integer.MAX_VALUE), "User id (default: next free id)."),
                      opt("group", ID, "Primary group (default: a group named like the user)."),
                      opt("groups", listOf(ACCOUNT), "Supplementary groups."),
                      opt("home", ABS_PATH, "/nonexistent", "Home directory."),
                      opt("shell", ABS_PATH, "/usr/sbin/nologin", "Login shell."),
                      opt("system", BOOL, false, "Allocate from the system id range."))),
              variant("directory", ABS_PATH, "A directory (parents are created).",
                  obj(opt("mode", MODE, "0755", "Directory mode, a quoted octal string."), OWNER, GROUP)),
              variant("template", ABS_PATH, "A file rendered from a Jinja2 template with the role's vars.",
                  obj(req("source", REL_PATH, "The template, relative to herd.yaml."), MODE_0644, OWNER, GROUP)),
              variant("file", ABS_PATH, "A regular file from inline content or a source file.",
                      obj(opt("content", STRING, "The file's content."),
                          opt("source", REL_PATH, "A file relative to herd.yaml to copy."),
                          MODE_0644, OWNER, GROUP)
                  .exactlyOneOf("content", "source")),
              variant("symlink", ABS_PATH, "A symbolic link.",
                  obj(req("to", LINK_TARGET, "Where the link points (must stay inside the image); normalized like the link is stored (\"/srv/\" is /srv)."))),
              variant("absent", ABS_PATH, "A path removed from the image.", obj())));

  static final Obj RUN_STEP =
      obj(
          opt("name", STRING, "Step name (default run[i])."),
          req("shell", STRING, "Shell script run with /bin/sh -c in a sandbox over the image."),
          opt("network", BOOL, false, "Allow network access."),
          opt("timeout", DURATION, "10m", "Kill the step after this long."));

  static final Obj LIMITS =
      obj(
          opt("memory", SIZE, "Memory limit, e.g. 128Mi."),
          opt("cpus", NUMBER, "CPU limit in cores, e.g. 0.5."));

  static final Obj HEALTH =
      obj(
              opt("http", obj(opt("path", STRING, "/", "Path to GET."),
                  opt("status", integer(100, 599), 200, "Expected HTTP status.")), "HTTP GET on the node's port."),
              opt("tcp", obj(), "TCP connect to the node's port."),
              opt("command", nonEmptyListOf(STRING), "Command run in the node; exit 0 is healthy."),
              opt("interval", DURATION, "5s", "Time between checks."),
              opt("timeout", DURATION, "2s", "Time a check may take; less than interval."),
              opt("start_grace", DURATION, "10s", "Failures right after start are not counted for this long."),
              opt("failure_threshold", integer(1, 100), 3, "Consecutive failures that make a node unhealthy."))
          .exactlyOneOf("http", "tcp", "command");

  static final Variants TEST =
      new Variants(
          List.of(
              variant("file", ABS_PATH, "A file in the image.",
                  obj(opt("exists", BOOL, true, "Whether it exists."),
                      opt("mode", MODE, "Expected mode."),
                      opt("owner", ID, "Expected owner."),
                      opt("group", ID, "Expected group."),
                      opt("contains", listOf(STRING), "Substrings the file contains."),
                      opt("sha256", SHA256, "Expected SHA-256 of the content."))),
              variant("package", PACKAGE, "A Debian package in the image.",
                  obj(opt("installed", BOOL, true, "Whether it is installed."),
                      opt("version", STRING, "Expected version."))),
              variant("user", ACCOUNT, "A user account.",
                  obj(opt("exists", BOOL, true, "Whether it exists."),
                      opt("uid", integer(0, Integer.MAX_VALUE), "Expected uid."),
                      opt("group", ID, "Expected primary group."))),
              variant("group", ACCOUNT, "A group.",
                  obj(opt("exists", BOOL, true, "Whether it exists."),
                      opt("gid", integer(0, Integer.MAX_VALUE), "Expected gid."))),
              variant("command", nonEmptyListOf(STRING), "A command run over the image.",
                  obj(opt("exit_status", integer(0, 255), 0, "Expected exit status."),
                      opt("stdout", listOf(STRING), "Substrings of the output.")))));

  static final Obj SECRET_SCAN =
      obj(
          opt("allow", listOf(obj(
              req("path", ABS_PATH, "Path in the image."),
              opt("rules", listOf(STRING), "Rules allowed for it (default: all)."),
              req("reason", STRING, "Why this is not a secret."))),
              "Known false positives of the secret scan."));

  static final String SECRETS_IN_ENV =
      "env is baked into the image; use herd secret instead";
  static final String SECRETS_IN_CONFIG =
      "config is stored and delivered in plain text; use herd secret instead";

  static final Obj ROLE =
      obj(
          req("base", BASE, "What the image starts from: exactly one of scratch, debian, image."),
          opt("packages", listOf(PACKAGE), "Extra Debian packages (their own layer); debian base only."),
          opt("vars", envMap(TEXT, Optional.empty()), "Build-time template variables."),
          opt("resources", listOf(RESOURCE), "Files, directories, users ... applied in order."),
          opt("run", listOf(RUN_STEP), "Shell steps run in a sandbox after the resources."),
          opt("command", nonEmptyListOf(STRING), "The node's command; ${PORT} is the node's port, ${HOST} its listen address (127.0.0.1). Required unless the base is an image."),
          opt("user", ID, "User the command runs as (default root)."),
          opt("workdir", ABS_PATH, "Working directory of the command."),
          opt("env", envMap(TEXT, Optional.of(SECRETS_IN_ENV)), "Static environment baked into the image (no secrets)."),
          opt("writable", listOf(ABS_PATH), "Paths that get a tmpfs on the read-only root."),
          opt("limits", LIMITS, "Default limits for fleets of this role."),
          opt("health", HEALTH, "How herd checks a node is healthy."),
          opt("launch", envMap(STRING, Optional.empty()), "Per-node settings computed at launch (Jinja2 over node.*)."),
          opt("reload", obj(req("signal", oneOf(Reload.Signal.class), "Signal sent to reload files.")),
              "How the role reloads changed files live."),
          opt("tests", listOf(TEST), "Assertions about the baked image; a failure fails the bake."),
          opt("secret_scan", SECRET_SCAN, "Secret scan settings."),
          opt("rebake", obj(
              req("on", nonEmptyListOf(oneOf(Rebake.Trigger.class)),
                  "What makes the controller bake again: security_updates, base_update (any newer package)."),
              opt("every", DURATION, "7d", "How often the running controller checks the mirror (at least 5m).")),
              "Scheduled rebakes by the running controller (debian base only)."));

  static final Obj KUBERNETES =
      obj(
          opt("context", STRING, "The kubeconfig context (default: the kubeconfig's current context)."),
          req("namespace", STRING, "The namespace herd's Pods, ConfigMaps, Secrets and Services live in (herd never creates it)."),
          opt("registry", STRING, "REGISTRY/PATH the cluster pulls images from (REGISTRY a key of registries or a host[:port])."));

  static final Obj ENGINE =
      obj(
          opt("local", obj(), "The local Podman or Docker engine (the default)."),
          opt("kubernetes", KUBERNETES, "An existing Kubernetes cluster, through the kubeconfig (KUBECONFIG or ~/.kube/config)."))
          .exactlyOneOf("local", "kubernetes");

  static final Obj ENVIRONMENT =
      obj(
          opt("description", STRING, "", "What this environment is."),
          opt("engine", ENGINE, "Where this environment's nodes run: local (default) or kubernetes."),
          opt("config", envMap(TEXT, Optional.of(SECRETS_IN_CONFIG)), "Initial plain config (no secrets)."));

  static final Obj ROLLOUT =
      obj(
          opt("strategy", oneOf(Fleet.Strategy.class), "rolling", "How nodes are replaced (recreate, the default with volumes: stop, then start on the same volume)."),
          opt("max_surge", AMOUNT, 1, "Extra nodes allowed during a rollout (number or percentage); 0 with recreate."),
          opt("max_unavailable", AMOUNT, 0, "Nodes that may be missing during a rollout (number or percentage); 1 with recreate."),
          opt("min_healthy_time", DURATION, "5s", "A new node must stay healthy this long to count."),
          opt("progress_deadline", DURATION, "5m", "A rollout that makes no progress this long fails."),
          opt("auto_rollback", BOOL, true, "Revert to the last good release when a rollout fails."),
          opt("canary", obj(
              opt("count", integer(1, Fleet.MAX_COUNT), 1, "Canary nodes."),
              opt("promote_after", DURATION, "5m", "Promote when canaries stay healthy this long."),
              opt("weight", AMOUNT, "Share of the front door's requests the canary nodes get, like 10% (needs expose)."),
              opt("sticky", BOOL, false, "A cookie keeps each client on the side it first landed on (needs expose, protocol http).")),
              "Canary settings (strategy canary only)."),
          opt("blue_green", obj(
              opt("remove_old_after", DURATION, "1m", "Remove the old set this long after the switch.")),
              "Blue/green settings (strategy blue_green only)."));

  static final Scalar DRIFT_ACTION = oneOf(Fleet.DriftAction.class);

  static final Obj AUTOSCALE =
      obj(
          opt("min", integer(1, Fleet.MAX_COUNT), 1, "Never fewer nodes than this."),
          req("max", integer(1, Fleet.MAX_COUNT), "Never more nodes than this."),
          req("target", obj(
              opt("cpu", AMOUNT, "Mean CPU use per node to aim for, a percentage of the node's CPU limit (one core without one), like 60%."),
              opt("requests_per_node", integer(1, 1_000_000), "Requests per second per node in service to aim for, measured by the fleet's front door (needs expose).")),
              "What to keep each node at: exactly one of cpu or requests_per_node."),
          opt("scale_up_after", DURATION, "30s", "Load above target this long adds nodes."),
          opt("scale_down_after", DURATION, "5m", "Load below target this long removes nodes."),
          opt("step", AMOUNT, "100%", "At most this many nodes (or percentage of the count, at least 1) added or removed at once."),
          opt("tolerance", AMOUNT, "10%", "A load within this percentage of the target changes nothing."),
          opt("interval", DURATION, "15s", "How often the load is measured and a decision made."));

  static final Obj FLEET =
      obj(
          req("role", NAME, "The role the nodes run (a key of roles)."),
          req("environment", NAME, "The environment (a key of environments)."),
          opt("depends_on", listOf(NAME), "Fleets whose nodes must all be healthy before this fleet starts from no node (its first start)."),
          opt("image", IMAGE_REF, "latest", "Which image of the role to run."),
          opt("count", integer(0, Fleet.MAX_COUNT), 1, "Number of nodes."),
          opt("name", NAME_PATTERN, "Node name pattern with {n} (default <fleet>-{n})."),
          opt("read_only_root", BOOL, true, "Run nodes with a read-only root filesystem."),
          opt("limits", LIMITS, "Limits; each one unset falls back to the role's."),
          opt("rollout", ROLLOUT, "How releases roll out."),
          opt("max_age", DURATION, "Replace nodes older than this (at least 1m)."),
          opt("autoscale", AUTOSCALE, "Keep the count between min and max by measured load (count is the start)."),
          opt("on_unhealthy", oneOf(Fleet.OnUnhealthy.class), "replace", "What happens to an unhealthy node."),
          opt("quarantine_retention", DURATION, "24h", "How long a quarantined node is kept."),
          opt("on_config_change", oneOf(Fleet.OnConfigChange.class), "rolling", "How config changes reach nodes (reload needs the role's reload)."),
          opt("drift", obj(
              opt("image", DRIFT_ACTION, "replace", "The node runs another image."),
              opt("config", DRIFT_ACTION, "replace", "The node's config differs from its release."),
              opt("filesystem", DRIFT_ACTION, "replace", "Files changed on the node."),
              opt("tamper", DRIFT_ACTION, "replace", "Someone exec'd into or changed the node."),
              opt("exposure", DRIFT_ACTION, "report", "The node listens on a non-loopback address (reachable from other hosts).")),
              "What to do about each kind of drift."),
          opt("logs", obj(
              opt("max_age", DURATION, "7d", "Keep logs this long."),
              opt("max_size", SIZE, "100Mi", "Keep at most this much per node.")),
              "Log retention."),
          opt("expose", obj(
              req("port", integer(1, 65535), "The fleet's one stable port (its front door)."),
              opt("bind", STRING.matching(java.util.regex.Pattern.compile("[0-9a-fA-F.:]+"), IpLiteral.WHAT), Fleet.Expose.DEFAULT_BIND,
                  "Address the front door listens on (another than loopback only when written out)."),
              opt("protocol", oneOf(Fleet.Protocol.class), "http", "http (retries idempotent requests) or tcp."),
              opt("drain_timeout", DURATION, "30s", "A removed node gets this long to finish its connections."),
              opt("max_connections", integer(1, Fleet.Expose.MAX_CONNECTIONS),
                  "The most connections the front door opens to one node at once; more requests wait in the door for a free node (default: no limit).")),
              "A front door (HAProxy) giving the fleet one address; see docs/frontdoor.md."),
          opt("volumes", namedMap("volumes", obj(
              req("path", ABS_PATH, "Where the volume is mounted, read-write, in the node (not inside the role's writable paths)."))),
              "Named volumes each node keeps across generations; see docs/state.md."),
          opt("backup", obj(
              opt("command", nonEmptyListOf(STRING), "Command run in the node; its stdout is the archive (default: a tar of the volumes)."),
              opt("restore", nonEmptyListOf(STRING), "Command run in the node with the archive on stdin (required with command)."),
              opt("every", DURATION, "Take a backup this often while herd up runs (at least 1m; default: only by hand)."),
              opt("keep", integer(1, 10_000), 7, "Backups of the fleet kept; older ones are deleted after a new one.")),
              "Backups of the fleet's state; see docs/state.md."));

  static final Obj REGISTRY =
      obj(
          req("url", STRING, "https://HOST[:PORT]; http:// only for a loopback registry (127.0.0.1, ::1, localhost)."),
          opt("ca", REL_PATH, "PEM CA certificate to trust for this registry, relative to herd.yaml."),
          opt("credentials", NAME, "Name of the credentials `herd login REGISTRY` stores (encrypted); absent: anonymous."));

  static final Obj ROOT =
      obj(
          req("project", PROJECT, "The project."),
          req("roles", namedMap("roles", ROLE), "Roles by name: what a node is, baked into an image."),
          opt("environments", namedMap("environments", ENVIRONMENT), "Environments by name (dev, prod ...)."),
          opt("fleets", namedMap("fleets", FLEET), "Fleets by name: how many nodes of which role run where."),
          opt("registries", namedMap("registries", REGISTRY), "Registries by name: where herd push and herd pull go."),
          opt("channels", namedMap("channels", obj(
              opt("push", STRING, "REGISTRY/PATH: herd promote ROLE:V NAME also pushes to REGISTRY/PATH/ROLE:NAME."))),
              "Channels by name (dev, prod ...) and what promoting to them does."));
}
