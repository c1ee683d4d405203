package dev.herd.bake.tree;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.loader.ResourceLocator;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Renders Jinja2 templates with Jinjava, strictly: an undefined variable is an error naming
 * the template and line (like Ansible's StrictUndefined), and {@code include}/{@code import}/
 * {@code extends} may only load project files (through {@link ProjectFiles}), never the
 * classpath or the host.
 */
public final class TemplateRenderer {
  /** A template that renders more than this is a runaway loop, not a config file. */
  static final long MAX_OUTPUT_BYTES = 64L << 20;

  private final ProjectFiles project;

  public TemplateRenderer(ProjectFiles project) {
    this.project = project;
  }

  /** Renders the project file {@code source}. */
  public byte[] render(String source, TemplateVars vars, Origin origin) {
    String text = new String(project.read(source, origin), StandardCharsets.UTF_8);
    return renderString(source, text, vars, origin);
  }

  byte[] renderString(String name, String text, TemplateVars vars, Origin origin) {
    Jinjava jinjava = new Jinjava(
        JinjavaConfig.newBuilder()
            .withFailOnUnknownTokens(true)
            // Values are data: a var containing "{{ ... }}" is not rendered again.
            .withNestedInterpretationEnabled(false)
            .withMaxOutputSize(MAX_OUTPUT_BYTES)
            .build());
    jinjava.setResourceLocator(new ProjectLocator(origin));
    RenderResult result;
    try {
      result = jinjava.renderForResult(text, vars.context(origin));
    } catch (RuntimeException e) {
      TreeException cause = treeCause(e);
      if (cause != null) {
        throw cause;
      }
      throw new TreeException(origin, "template " + name + ": " + describe(e), e);
    }
    List<TemplateError> fatal = result.getErrors().stream()
        .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
        .toList();
    if (!fatal.isEmpty()) {
      TemplateError first = fatal.getFirst();
      // A refused include surfaces as a wrapped error: report our own message, not Jinjava's.
      TreeException cause = treeCause(first.getException());
      if (cause != null) {
        throw cause;
      }
      String message = first.getMessage().replace("UnknownTokenException: Unknown token found: ", "undefined: ");
      throw new TreeException(origin, "template " + name + ":" + first.getLineno() + ": " + message);
    }
    return result.getOutput().getBytes(StandardCharsets.UTF_8);
  }

  private static TreeException treeCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof TreeException te) {
        return te;
      }
    }
    return null;
  }

  private static String describe(RuntimeException e) {
    Throwable t = e;
    while (t.getCause() != null && t.getMessage() == null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  /** include/import/extends: project files only. */
  private final class ProjectLocator implements ResourceLocator {
    private final Origin origin;

    ProjectLocator(Origin origin) {
      this.origin = origin;
    }

    @Override
    public String getString(String fullName, Charset encoding, JinjavaInterpreter interpreter) {
      return new String(project.read(fullName, origin), encoding);
    }
  }
}
