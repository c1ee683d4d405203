package dev.herd.spec;

import dev.herd.common.Refusal;
import java.util.List;
import java.util.stream.Collectors;

/** A spec that did not load, with every problem found (for callers that prefer exceptions). */
public final class SpecException extends RuntimeException implements Refusal {
  private final List<SpecError> errors;

  public SpecException(List<SpecError> errors) {
    super(errors.stream().map(SpecError::render).collect(Collectors.joining("\n")), null, false, false);
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("a SpecException needs at least one error");
    }
    this.errors = List.copyOf(errors);
  }

  public List<SpecError> errors() {
    return errors;
  }
}
