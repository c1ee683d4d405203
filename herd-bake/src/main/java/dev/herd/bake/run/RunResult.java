package dev.herd.bake.run;

import java.time.Duration;

/** Output of a run step that succeeded. */
public record RunResult(String step, String stdout, String stderr, Duration took) {}
