package dev.herd.bake;

/**
 * One stage of a bake, run by {@link Baker}'s stage runner: it says what it is about to do, does
 * it and says what it did; the runner times it and reports both to the {@link BakeListener}.
 * Each stage keys its layer (or its verdict) on its inputs and the key beneath it
 * ({@link StageKeys}), so a stage whose inputs did not change is a cache hit.
 */
interface BakeStep {
  Stage stage();

  /** Whether this bake has the stage at all (packages only on a separate tree). */
  default boolean applies(BakeRun run) {
    return true;
  }

  /** The started event's detail. */
  String describe(BakeRun run);

  /** Does the stage's work on {@code run} and says what it did. */
  Outcome run(BakeRun run);

  /**
   * @param summary the finished event's text ("cached", "3 changed, 2 unchanged; …")
   * @param timed whether the stage did work worth a duration (a stage served from the cache
   *     reports none)
   */
  record Outcome(String summary, boolean timed) {
    static Outcome done(String summary) {
      return new Outcome(summary, true);
    }

    static Outcome cached(String summary) {
      return new Outcome(summary, false);
    }
  }
}
