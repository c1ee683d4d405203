package dev.herd.spec;

import java.util.List;
import java.util.Objects;

/** The outcome of loading a spec: the spec, or every error found in it. */
public sealed interface SpecResult {
  /** The spec, or a {@link SpecException} with every error. */
  Spec orThrow();

  List<SpecError> errors();

  record Loaded(Spec spec) implements SpecResult {
    public Loaded {
      Objects.requireNonNull(spec, "spec");
    }

    @Override
    public Spec orThrow() {
      return spec;
    }

    @Override
    public List<SpecError> errors() {
      return List.of();
    }
  }

  record Invalid(List<SpecError> errors) implements SpecResult {
    public Invalid {
      errors = List.copyOf(errors);
      if (errors.isEmpty()) {
        throw new IllegalArgumentException("an invalid result needs at least one error");
      }
    }

    @Override
    public Spec orThrow() {
      throw new SpecException(errors);
    }
  }
}
