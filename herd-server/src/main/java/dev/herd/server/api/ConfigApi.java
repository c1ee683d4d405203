package dev.herd.server.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The config, secret, flag and watch bodies of the API (docs/api.md). Secret values never appear
 * in any of them: a secret is written with a raw request body and listed by name and revision.
 */
public final class ConfigApi {
  private ConfigApi() {}

  /** One effective value; {@code source} is {@code spec} (herd.yaml) or {@code stored}. */
  public record Value(String key, String value, String source, long revision) {}

  /** {@code GET /v1/config/{env}/{role}}. */
  public record Config(String environment, String role, long revision, List<Value> values) {
    public Config {
      values = List.copyOf(values);
    }
  }

  /** {@code POST /v1/config/{env}/{role}}: keys to set and keys to unset, in one revision. */
  public record Change(Map<String, String> set, List<String> unset, String message, String author) {}

  /** {@code POST /v1/config/{env}/{role}/rollback}. */
  public record Rollback(Long revision, String message, String author) {}

  /** What a write did: the revision it made and what the fleets do about it, in words. */
  public record Written(String scope, long revision, String message) {}

  public record Revision(long revision, String author, Instant time, String message, Map<String, String> set, List<String> unset) {}

  public record History(String scope, List<Revision> revisions) {
    public History {
      revisions = List.copyOf(revisions);
    }
  }

  /** One key of a diff: {@code before} null = added, {@code after} null = removed. */
  public record DiffLine(String key, String before, String after) {}

  public record Diff(String scope, long from, long to, List<DiffLine> changes) {
    public Diff {
      changes = List.copyOf(changes);
    }
  }

  /** A secret without its value. */
  public record SecretInfo(String name, long revision, boolean removed, String author, Instant time) {}

  public record Secrets(String scope, List<SecretInfo> secrets) {
    public Secrets {
      secrets = List.copyOf(secrets);
    }
  }

  /** {@code POST /v1/secrets/rotate-key}. */
  public record Rotation(int oldKeys, String newPrimaryKey, int reencrypted, boolean resumed) {}

  public record Variant(String value, Integer weight) {}

  /**
   * {@code PUT /v1/flags/{env}/{name}}: creates the flag or changes the given fields. {@code on}
   * turns it on or off, {@code percent} sets the rollout, {@code variants} makes a variant flag.
   */
  public record FlagChange(Boolean on, Double percent, List<Variant> variants, String offValue, Boolean killed,
      String description, String author) {}

  public record FlagView(String name, String kind, boolean on, boolean killed, String rollout, String offValue,
      List<Variant> variants, String description) {}

  public record Flags(String environment, long revision, List<FlagView> flags) {
    public Flags {
      flags = List.copyOf(flags);
    }
  }

  /** {@code GET /v1/flags/{env}/{name}}: the flag's value for a context and why. */
  public record Evaluation(String flag, String value, boolean on, String reason, long revision) {}

  /**
   * {@code GET /v1/watch}: a node's own config, flags and discovery, with the {@code cursor} to
   * send as {@code since} next time.
   */
  public record Watch(boolean changed, String cursor, Map<String, Object> config, Map<String, Object> flags,
      Map<String, Object> discovery) {}
}
