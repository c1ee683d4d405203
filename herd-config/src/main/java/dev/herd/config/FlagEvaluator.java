package dev.herd.config;

import java.nio.charset.StandardCharsets;

/**
 * Evaluates a flag for a context, with no I/O. Order: kill switch, off, exclusions (key, node,
 * fleet), inclusions (key, node, fleet), then percentage. The bucket is
 * {@code murmur3_32(flag + ":" + key, seed 0)} as unsigned, mod 10000; a key is in when its bucket
 * is below the rollout in basis points, so raising 30% to 50% keeps every key that was in.
 */
public final class FlagEvaluator {
  public static final int BUCKETS = 10_000;
  /** The variant pick uses another seed so it is independent of whether a key is in the rollout. */
  static final int VARIANT_SEED = 1;

  private FlagEvaluator() {}

  /** The bucket (0-9999) of {@code key} for {@code flag}. */
  public static int bucket(String flag, String key) {
    int h = Murmur3.hash32((flag + ":" + key).getBytes(StandardCharsets.UTF_8), 0);
    return (int) (Integer.toUnsignedLong(h) % BUCKETS);
  }

  public static Evaluation evaluate(Flag f, FlagContext ctx, long revision) {
    if (f.killed()) {
      return off(f, "kill switch", revision);
    }
    if (!f.enabled()) {
      return off(f, "flag is off", revision);
    }
    Targeting t = f.targeting();
    if (!ctx.key().isEmpty() && t.excludeKeys().contains(ctx.key())) {
      return off(f, "key " + ctx.key() + " is excluded", revision);
    }
    if (!ctx.node().isEmpty() && t.excludeNodes().contains(ctx.node())) {
      return off(f, "node " + ctx.node() + " is excluded", revision);
    }
    if (!ctx.fleet().isEmpty() && t.excludeFleets().contains(ctx.fleet())) {
      return off(f, "fleet " + ctx.fleet() + " is excluded", revision);
    }
    if (!ctx.key().isEmpty() && t.includeKeys().contains(ctx.key())) {
      return on(f, ctx, "key " + ctx.key() + " is included", revision);
    }
    if (!ctx.node().isEmpty() && t.includeNodes().contains(ctx.node())) {
      return on(f, ctx, "node " + ctx.node() + " is included", revision);
    }
    if (!ctx.fleet().isEmpty() && t.includeFleets().contains(ctx.fleet())) {
      return on(f, ctx, "fleet " + ctx.fleet() + " is included", revision);
    }
    String pct = "percentage " + Flag.Percent.format(f.rolloutBasisPoints());
    if (f.rolloutBasisPoints() >= Flag.ALL) {
      return on(f, ctx, pct, revision);
    }
    if (f.rolloutBasisPoints() == 0) {
      return off(f, pct, revision);
    }
    String key = ctx.bucketingKey();
    if (key.isEmpty()) {
      return off(f, pct + ", no key or node to bucket", revision);
    }
    int bucket = bucket(f.name(), key);
    return bucket < f.rolloutBasisPoints()
        ? on(f, ctx, pct + ", bucket " + bucket, revision)
        : off(f, pct + ", bucket " + bucket + " is outside", revision);
  }

  private static Evaluation off(Flag f, String reason, long revision) {
    return new Evaluation(f.name(), f.offValue(), false, reason, revision);
  }

  private static Evaluation on(Flag f, FlagContext ctx, String reason, long revision) {
    if (f.variants().size() == 1) {
      return new Evaluation(f.name(), f.variants().get(0).value(), true, reason, revision);
    }
    int total = f.variants().stream().mapToInt(Flag.Variant::weight).sum();
    String key = ctx.bucketingKey();
    long pick = Integer.toUnsignedLong(Murmur3.hash32((f.name() + ":" + key).getBytes(StandardCharsets.UTF_8), VARIANT_SEED)) % total;
    for (Flag.Variant v : f.variants()) {
      if (pick < v.weight()) {
        return new Evaluation(f.name(), v.value(), true, reason + ", variant " + v.value(), revision);
      }
      pick -= v.weight();
    }
    throw new IllegalStateException("unreachable: weights sum to " + total);
  }
}
