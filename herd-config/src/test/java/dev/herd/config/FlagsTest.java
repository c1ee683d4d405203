package dev.herd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.herd.spec.Spec;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlagsTest {
  private static final int KEYS = 10_000;

  @TempDir Path dir;
  Spec spec;
  ConfigDb db;
  Flags flags;

  @BeforeEach
  void open() {
    spec = TestSpecs.spec(dir);
    db = ConfigDb.open(dir);
    flags = new Flags(db, Clock.systemUTC(), new ConfigWatch(t -> 0));
  }

  @AfterEach
  void close() {
    db.close();
  }

  private Set<String> keysOn(String flag) {
    FlagSet set = flags.snapshot("prod");
    Set<String> on = new HashSet<>();
    for (int i = 0; i < KEYS; i++) {
      if (set.evaluate(flag, FlagContext.ofKey("user-" + i)).on()) {
        on.add("user-" + i);
      }
    }
    return on;
  }

  @Test
  void percentageRolloutIsStickyAndAboutRight() {
    flags.put(spec, "prod", Flag.bool("new-checkout", 30), Edit.by("alice"));
    Evaluation first = flags.evaluate("prod", "new-checkout", FlagContext.ofKey("user-42"));
    for (int i = 0; i < 20; i++) {
      assertThat(flags.evaluate("prod", "new-checkout", FlagContext.ofKey("user-42"))).isEqualTo(first);
    }
    // the reason names the bucket, and the bucket is murmur3("new-checkout:user-42") mod 10000
    int bucket = (int) (Integer.toUnsignedLong(0x595ce766) % 10_000);
    assertThat(first.reason()).startsWith("percentage 30%, bucket " + bucket);
    assertThat(first.on()).isEqualTo(bucket < 3000);

    Set<String> at30 = keysOn("new-checkout");
    assertThat(at30.size() / (double) KEYS).isCloseTo(0.30, within(0.03));

    flags.update(spec, "prod", "new-checkout", f -> f.withRollout(50), Edit.by("alice"));
    Set<String> at50 = keysOn("new-checkout");
    assertThat(at50).containsAll(at30);
    assertThat(at50.size() / (double) KEYS).isCloseTo(0.50, within(0.03));
    assertThat(flags.evaluate("prod", "new-checkout", FlagContext.ofKey("user-42")).value())
        .isEqualTo(bucket < 5000 ? "true" : "false");
  }

  @Test
  void killSwitchForcesOffAndRevivingRestoresTheRollout() {
    flags.put(spec, "prod", Flag.bool("beta", 100).withTargeting(Targeting.ofKeys("vip")), Edit.by("a"));
    assertThat(flags.evaluate("prod", "beta", FlagContext.ofKey("anyone")).value()).isEqualTo("true");
    flags.kill(spec, "prod", "beta", new Edit("oncall", "errors spiking"));
    Evaluation killed = flags.evaluate("prod", "beta", FlagContext.ofKey("vip"));
    assertThat(killed.value()).isEqualTo("false");
    assertThat(killed.reason()).isEqualTo("kill switch");
    assertThat(keysOn("beta")).isEmpty();
    flags.revive(spec, "prod", "beta", Edit.by("oncall"));
    assertThat(keysOn("beta")).hasSize(KEYS);
    assertThat(flags.history("prod", "beta", 10)).extracting(FlagRevision::revision).containsExactly(3L, 2L, 1L);
    assertThat(flags.history("prod", "beta", 10).get(1).message()).isEqualTo("errors spiking");
  }

  @Test
  void targetingByKeyNodeAndFleet() {
    Targeting t = Targeting.NONE.with(List.of("alice"), List.of("mallory"), List.of("web-3"), List.of("web-9"),
        List.of("canary"), List.of("batch"));
    flags.put(spec, "prod", Flag.bool("x", 0).withTargeting(t), Edit.by("a"));
    assertThat(flags.evaluate("prod", "x", FlagContext.ofKey("bob")).reason()).isEqualTo("percentage 0%");
    assertThat(flags.evaluate("prod", "x", FlagContext.ofKey("alice"))).satisfies(e -> {
      assertThat(e.value()).isEqualTo("true");
      assertThat(e.reason()).isEqualTo("key alice is included");
    });
    assertThat(flags.evaluate("prod", "x", FlagContext.ofNode("web", "web-3")).reason()).isEqualTo("node web-3 is included");
    assertThat(flags.evaluate("prod", "x", FlagContext.ofNode("canary", "canary-1")).reason()).isEqualTo("fleet canary is included");
    // exclusion wins over inclusion and over 100%
    flags.update(spec, "prod", "x", f -> f.withRollout(100), Edit.by("a"));
    assertThat(flags.evaluate("prod", "x", new FlagContext("alice", "batch", "batch-1"))).satisfies(e -> {
      assertThat(e.value()).isEqualTo("false");
      assertThat(e.reason()).isEqualTo("fleet batch is excluded");
    });
    assertThat(flags.evaluate("prod", "x", new FlagContext("mallory", "canary", "web-3")).reason()).isEqualTo("key mallory is excluded");
    assertThat(flags.evaluate("prod", "x", FlagContext.ofNode("web", "web-9")).value()).isEqualTo("false");
    assertThat(flags.evaluate("prod", "x", FlagContext.ofNode("web", "web-1")).value()).isEqualTo("true");
  }

  @Test
  void offFlagAndVariants() {
    Flag f = Flag.variants("theme", "classic", List.of(new Flag.Variant("blue", 1), new Flag.Variant("green", 1)), 100);
    flags.put(spec, "prod", f, Edit.by("a"));
    Map<String, Integer> counts = new java.util.HashMap<>();
    FlagSet set = flags.snapshot("prod");
    for (int i = 0; i < KEYS; i++) {
      counts.merge(set.evaluate("theme", FlagContext.ofKey("k" + i)).value(), 1, Integer::sum);
    }
    assertThat(counts.keySet()).containsExactlyInAnyOrder("blue", "green");
    assertThat(counts.get("blue") / (double) KEYS).isCloseTo(0.5, within(0.03));
    Evaluation e = flags.evaluate("prod", "theme", FlagContext.ofKey("k1"));
    assertThat(e.reason()).isEqualTo("percentage 100%, variant " + e.value());

    flags.update(spec, "prod", "theme", x -> x.withEnabled(false), Edit.by("a"));
    assertThat(flags.evaluate("prod", "theme", FlagContext.ofKey("k1"))).satisfies(off -> {
      assertThat(off.value()).isEqualTo("classic");
      assertThat(off.reason()).isEqualTo("flag is off");
    });
  }

  @Test
  void withoutAKeyTheNodeIsBucketed() {
    flags.put(spec, "prod", Flag.bool("n", 50), Edit.by("a"));
    Evaluation e = flags.evaluate("prod", "n", FlagContext.ofNode("web", "web-2"));
    assertThat(e.reason()).contains("bucket " + FlagEvaluator.bucket("n", "web-2"));
    assertThat(flags.evaluate("prod", "n", new FlagContext("", "", "")).reason()).isEqualTo("percentage 50%, no key or node to bucket");
  }

  @Test
  void flagsArePerEnvironmentWithRevisionsAndSnapshots() {
    flags.put(spec, "prod", Flag.bool("a", 10), Edit.by("x"));
    flags.put(spec, "prod", Flag.bool("b", 10), Edit.by("x"));
    flags.delete(spec, "prod", "a", Edit.by("x"));
    assertThat(flags.revision("prod")).isEqualTo(3);
    assertThat(flags.snapshot("prod").flags()).containsOnlyKeys("b");
    assertThat(flags.snapshot("prod", 2).flags()).containsOnlyKeys("a", "b");
    assertThat(flags.snapshot("dev").flags()).isEmpty();
    assertThat(flags.evaluate("prod", "b", FlagContext.ofKey("k")).revision()).isEqualTo(3);
    // a change through another connection is seen at once (no stale cache)
    try (ConfigDb other = ConfigDb.open(dir)) {
      new Flags(other, Clock.systemUTC(), new ConfigWatch(t -> 0)).put(spec, "prod", Flag.bool("b", 100), Edit.by("y"));
    }
    assertThat(flags.evaluate("prod", "b", FlagContext.ofKey("k")).value()).isEqualTo("true");
  }

  @Test
  void badInputIsRefused() {
    assertThatThrownBy(() -> Flag.bool("Bad Name", 10)).hasMessageContaining("flag name \"Bad Name\"");
    assertThatThrownBy(() -> Flag.bool("x", 101)).hasMessageContaining("0-100");
    assertThatThrownBy(() -> Flag.bool("x", 12.345)).hasMessageContaining("at most 2 decimals");
    assertThat(Flag.bool("x", 0.5).rolloutBasisPoints()).isEqualTo(50);
    assertThat(Flag.Percent.format(50)).isEqualTo("0.5%");
    assertThatThrownBy(() -> flags.put(spec, "staging", Flag.bool("x", 1), Edit.by("a"))).hasMessageContaining("unknown environment");
    assertThatThrownBy(() -> flags.evaluate("prod", "nope", FlagContext.ofKey("k")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("no flag \"nope\" in environment prod");
    assertThatThrownBy(() -> flags.kill(spec, "prod", "nope", Edit.by("a"))).hasMessageContaining("no flag nope");
  }
}
