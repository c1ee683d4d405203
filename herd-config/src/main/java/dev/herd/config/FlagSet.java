package dev.herd.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** The flags of one environment at one flag revision; evaluates them with no I/O (one per render of many nodes). */
public record FlagSet(String environment, long revision, Map<String, Flag> flags) {
  public FlagSet {
    Objects.requireNonNull(environment, "environment");
    flags = Collections.unmodifiableMap(new TreeMap<>(flags));
  }

  public Evaluation evaluate(String flag, FlagContext ctx) {
    Flag f = flags.get(flag);
    if (f == null) {
      throw ConfigException.notFound("no flag " + Texts.quote(flag) + " in environment " + environment
          + (flags.isEmpty() ? "" : " (flags: " + String.join(", ", flags.keySet()) + ")"));
    }
    return FlagEvaluator.evaluate(f, ctx, revision);
  }

  /** Every flag evaluated for {@code ctx}, by name: what flags.json holds for a node. */
  public Map<String, Evaluation> evaluateAll(FlagContext ctx) {
    Map<String, Evaluation> out = new LinkedHashMap<>();
    flags.forEach((name, f) -> out.put(name, FlagEvaluator.evaluate(f, ctx, revision)));
    return Collections.unmodifiableMap(out);
  }
}
