package dev.herd.bake.verify;

import dev.herd.common.Refusal;
import java.util.List;

/** The baked image does not pass its tests; the bake produces no image. */
public class ImageTestsFailedException extends RuntimeException implements Refusal {
  private final transient List<TestResult> failures;

  public ImageTestsFailedException(String message, List<TestResult> failures) {
    super(message);
    this.failures = List.copyOf(failures);
  }

  public List<TestResult> failures() {
    return failures;
  }
}
