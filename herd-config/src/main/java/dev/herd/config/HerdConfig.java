package dev.herd.config;

import dev.herd.common.files.PrivateFiles;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * The config service on one state directory: one connection to {@code herd.db}, one watch, and
 * the stores wired to publish to it. The controller and the server each hold one (or share one).
 *
 * <pre>
 * HerdConfig cfg = HerdConfig.open(stateDir, System.getenv());
 * cfg.config().set(spec, "prod", "web", Map.of("DB_HOST", "db1"), new Edit("alice", "new db"));
 * </pre>
 */
public final class HerdConfig implements AutoCloseable {
  private final ConfigDb db;
  private final ConfigWatch watch;
  private final ConfigStore config;
  private final SecretStore secrets;
  private final Flags flags;
  private final NodeTokens tokens;
  private final NodeFiles nodeFiles;
  private final LaunchSettings launch = new LaunchSettings();

  private HerdConfig(Path stateDir, Map<String, String> environment, Clock clock) {
    PrivateFiles.openStateDir(stateDir);
    this.db = ConfigDb.open(stateDir);
    try {
      // The watch learns a topic's revision from the store the first time it is asked.
      ConfigStore[] cs = new ConfigStore[1];
      Flags[] fs = new Flags[1];
      this.watch = new ConfigWatch(t -> switch (t.kind()) {
        case CONFIG -> cs[0].revision(new Scope(t.environment(), t.role()));
        case FLAGS -> fs[0].revision(t.environment());
        case DISCOVERY -> 0L;
      });
      Redactor redactor = new Redactor();
      // Config refuses a value that is a stored secret: the redactor knows every live secret value.
      this.config = cs[0] = new ConfigStore(db, clock, watch, redactor::isKnown);
      this.flags = fs[0] = new Flags(db, clock, watch);
      this.secrets = SecretStore.open(db, stateDir, environment, clock, redactor);
      this.secrets.primeRedactor();
      this.tokens = new NodeTokens(db, clock);
      this.nodeFiles = new NodeFiles(stateDir.toAbsolutePath().normalize().resolve("nodes"));
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /**
   * Opens (creating or migrating) the config service in {@code stateDir}.
   *
   * @param environment the process environment, for {@code HERD_SECRETS_KEY}
   */
  public static HerdConfig open(Path stateDir, Map<String, String> environment) {
    return new HerdConfig(stateDir, environment, Clock.systemUTC());
  }

  public static HerdConfig open(Path stateDir, Map<String, String> environment, Clock clock) {
    return new HerdConfig(stateDir, environment, clock);
  }

  public ConfigStore config() {
    return config;
  }

  public SecretStore secrets() {
    return secrets;
  }

  public Flags flags() {
    return flags;
  }

  public ConfigWatch watch() {
    return watch;
  }

  public NodeTokens tokens() {
    return tokens;
  }

  /** Node directories under {@code <stateDir>/nodes/<fleet>/<node>}. */
  public NodeFiles nodeFiles() {
    return nodeFiles;
  }

  public LaunchSettings launch() {
    return launch;
  }

  /** Replaces known secret values in {@code text} with {@code ***}. */
  public Redactor redactor() {
    return secrets.redactor();
  }

  @Override
  public void close() {
    db.close();
  }
}
