package dev.herd.bake.tree;

import dev.herd.template.Renderer;
import dev.herd.template.TemplateException;
import dev.herd.template.TemplateLimits;
import java.nio.charset.StandardCharsets;

/**
 * Renders a role's Jinja2 templates with herd's bounded {@link Renderer}: an undefined variable
 * is an error naming the template and line (like Ansible's StrictUndefined), every limit breach
 * is located ({@code templates/x.j2:LINE: ...}), and {@code include}/{@code import} may only load
 * project files (through {@link ProjectFiles}: never the state directory, the classpath or the
 * host).
 */
public final class TemplateRenderer {
  private final ProjectFiles project;
  private final TemplateLimits limits;

  public TemplateRenderer(ProjectFiles project) {
    this(project, TemplateLimits.BAKE);
  }

  TemplateRenderer(ProjectFiles project, TemplateLimits limits) {
    this.project = project;
    this.limits = limits;
  }

  /** Renders the project file {@code source}. */
  public byte[] render(String source, TemplateVars vars, Origin origin) {
    String text = new String(project.read(source, origin), StandardCharsets.UTF_8);
    return renderString(source, text, vars, origin);
  }

  byte[] renderString(String name, String text, TemplateVars vars, Origin origin) {
    // One renderer per template: its includes are read on behalf of this resource.
    Renderer renderer = new Renderer(limits, include -> {
      try {
        return new String(project.read(include, origin), StandardCharsets.UTF_8);
      } catch (TreeException e) {
        // Reported at the include's line in the template, after the resource's location.
        throw new IllegalArgumentException(e.detail(), e);
      }
    });
    try {
      return renderer.render(name, text, vars.context(origin)).getBytes(StandardCharsets.UTF_8);
    } catch (TemplateException e) {
      String detail = e.detail().replace("UnknownTokenException: Unknown token found: ", "undefined: ");
      throw new TreeException(origin, "template " + e.name() + ":" + e.line() + ": " + detail, e);
    }
  }
}
