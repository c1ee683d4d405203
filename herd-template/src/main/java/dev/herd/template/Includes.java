package dev.herd.template;

import dev.herd.common.Refusal;

/**
 * Where {@code include}, {@code import} and {@code from} find templates. An implementation
 * confines names (the bake: project files only, never the state directory). A {@link Refusal}
 * it throws reaches the caller of {@link Renderer#render} unchanged; any other exception becomes
 * a {@link TemplateException} at the line of the include.
 */
@FunctionalInterface
public interface Includes {
  /** No template may load another (launch values). */
  Includes NONE = name -> {
    throw new IllegalArgumentException("cannot include \"" + name + "\": this template may not load other files");
  };

  String read(String name);
}
