package dev.herd.image.oci;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An OCI image configuration (image-spec config.md): platform, run defaults, labels, the diff IDs
 * of the layers and their history. {@code created} is the clamped build epoch, never the wall
 * clock, so that rebuilding gives the same bytes.
 */
public record ImageConfig(
    String architecture,
    String os,
    Instant created,
    List<String> env,
    List<String> entrypoint,
    List<String> cmd,
    String user,
    String workingDir,
    SortedSet<String> exposedPorts,
    Map<String, String> labels,
    List<Digest> diffIds,
    List<History> history) {

  public ImageConfig {
    requireText(architecture, "architecture");
    requireText(os, "os");
    Objects.requireNonNull(created, "created");
    created = created.truncatedTo(ChronoUnit.SECONDS);
    env = List.copyOf(env == null ? List.of() : env);
    for (String e : env) {
      if (!e.contains("=")) {
        throw new IllegalArgumentException("env entry '" + e + "' is not NAME=VALUE");
      }
    }
    entrypoint = List.copyOf(entrypoint == null ? List.of() : entrypoint);
    cmd = List.copyOf(cmd == null ? List.of() : cmd);
    user = user == null ? "" : user;
    workingDir = workingDir == null ? "" : workingDir;
    SortedSet<String> ports = new TreeSet<>();
    for (String p : exposedPorts == null ? List.<String>of() : exposedPorts) {
      if (!p.matches("[0-9]{1,5}(/(tcp|udp|sctp))?")) {
        throw new IllegalArgumentException("exposed port '" + p + "' is not PORT[/tcp|udp|sctp]");
      }
      ports.add(p.contains("/") ? p : p + "/tcp");
    }
    exposedPorts = java.util.Collections.unmodifiableSortedSet(ports);
    labels = java.util.Collections.unmodifiableMap(new TreeMap<>(labels == null ? Map.of() : labels));
    diffIds = List.copyOf(diffIds == null ? List.of() : diffIds);
    history = List.copyOf(history == null ? List.of() : history);
  }

  private static void requireText(String s, String what) {
    if (s == null || s.isBlank()) {
      throw new IllegalArgumentException("image config " + what + " is blank");
    }
  }

  /** One build step; {@code emptyLayer} steps changed only the config. */
  public record History(Instant created, String createdBy, String comment, boolean emptyLayer) {
    public History {
      Objects.requireNonNull(created, "created");
      created = created.truncatedTo(ChronoUnit.SECONDS);
      createdBy = createdBy == null ? "" : createdBy;
      comment = comment == null ? "" : comment;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A copy with the given layers' diff IDs (bake computes config and layers separately). */
  public ImageConfig withDiffIds(List<Digest> ids) {
    return new ImageConfig(architecture, os, created, env, entrypoint, cmd, user, workingDir, exposedPorts, labels, ids, history);
  }

  /** The canonical JSON bytes; the config blob's digest is the sha256 of these bytes. */
  public byte[] toJson() {
    Map<String, Object> config = new LinkedHashMap<>();
    if (!env.isEmpty()) config.put("Env", env);
    if (!entrypoint.isEmpty()) config.put("Entrypoint", entrypoint);
    if (!cmd.isEmpty()) config.put("Cmd", cmd);
    if (!user.isEmpty()) config.put("User", user);
    if (!workingDir.isEmpty()) config.put("WorkingDir", workingDir);
    if (!exposedPorts.isEmpty()) {
      Map<String, Object> ports = new TreeMap<>();
      exposedPorts.forEach(p -> ports.put(p, Map.of()));
      config.put("ExposedPorts", ports);
    }
    if (!labels.isEmpty()) config.put("Labels", labels);
    List<Object> hist = new ArrayList<>();
    for (History h : history) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("created", format(h.created()));
      if (!h.createdBy().isEmpty()) m.put("created_by", h.createdBy());
      if (!h.comment().isEmpty()) m.put("comment", h.comment());
      if (h.emptyLayer()) m.put("empty_layer", true);
      hist.add(m);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("architecture", architecture);
    root.put("os", os);
    root.put("created", format(created));
    root.put("config", config);
    root.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds.stream().map(Digest::toString).toList()));
    if (!hist.isEmpty()) root.put("history", hist);
    return CanonicalJson.write(root);
  }

  static String format(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t);
  }

  /** Reads a config written by herd or by another tool (unknown fields are ignored). */
  public static ImageConfig fromJson(byte[] json, String what) {
    JsonNode root = CanonicalJson.read(json, what);
    JsonNode c = root.path("config");
    try {
      Builder b =
          builder()
              .architecture(orDefault(CanonicalJson.text(root, "architecture"), "amd64"))
              .os(orDefault(CanonicalJson.text(root, "os"), "linux"))
              .created(parseTime(CanonicalJson.text(root, "created")))
              .env(CanonicalJson.strings(c, "Env"))
              .entrypoint(CanonicalJson.strings(c, "Entrypoint"))
              .cmd(CanonicalJson.strings(c, "Cmd"))
              .user(CanonicalJson.text(c, "User"))
              .workingDir(CanonicalJson.text(c, "WorkingDir"))
              .labels(CanonicalJson.stringMap(c, "Labels"));
      c.path("ExposedPorts").fieldNames().forEachRemaining(b::exposePort);
      List<Digest> ids = new ArrayList<>();
      for (String s : CanonicalJson.strings(root.path("rootfs"), "diff_ids")) {
        ids.add(Digest.parse(s));
      }
      b.diffIds(ids);
      for (JsonNode h : root.path("history")) {
        b.history(
            new History(
                parseTime(CanonicalJson.text(h, "created")),
                CanonicalJson.text(h, "created_by"),
                CanonicalJson.text(h, "comment"),
                h.path("empty_layer").asBoolean(false)));
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ImageException(what + ": " + e.getMessage(), e);
    }
  }

  private static String orDefault(String s, String d) {
    return s == null || s.isBlank() ? d : s;
  }

  private static Instant parseTime(String s) {
    if (s == null || s.isBlank()) {
      return Instant.EPOCH;
    }
    try {
      return java.time.OffsetDateTime.parse(s).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("bad timestamp '" + s + "'");
    }
  }

  /** Builds an {@link ImageConfig}; defaults are linux/amd64, created at the Unix epoch. */
  public static final class Builder {
    private String architecture = "amd64";
    private String os = "linux";
    private Instant created = Instant.EPOCH;
    private List<String> env = new ArrayList<>();
    private List<String> entrypoint = List.of();
    private List<String> cmd = List.of();
    private String user;
    private String workingDir;
    private final SortedSet<String> ports = new TreeSet<>();
    private final Map<String, String> labels = new TreeMap<>();
    private List<Digest> diffIds = List.of();
    private final List<History> history = new ArrayList<>();

    public Builder architecture(String v) { architecture = v; return this; }
    public Builder os(String v) { os = v; return this; }
    public Builder created(Instant v) { created = v; return this; }
    public Builder env(List<String> v) { env = new ArrayList<>(v); return this; }
    public Builder env(String name, String value) { env.add(name + "=" + value); return this; }
    public Builder entrypoint(List<String> v) { entrypoint = v; return this; }
    public Builder cmd(List<String> v) { cmd = v; return this; }
    public Builder user(String v) { user = v; return this; }
    public Builder workingDir(String v) { workingDir = v; return this; }
    public Builder exposePort(String v) { ports.add(v); return this; }
    public Builder label(String k, String v) { labels.put(k, v); return this; }
    public Builder labels(Map<String, String> v) { labels.putAll(v); return this; }
    public Builder diffIds(List<Digest> v) { diffIds = v; return this; }
    public Builder history(History h) { history.add(h); return this; }

    public ImageConfig build() {
      return new ImageConfig(architecture, os, created, env, entrypoint, cmd, user, workingDir, ports, labels, diffIds, history);
    }
  }
}
