package dev.herd.bake.tree;

import dev.herd.spec.Resource;
import java.nio.charset.StandardCharsets;

/**
 * The bytes a file or template resource puts in the image. Shared by the applier and the image
 * verifier (whose implied checks compare against the same bytes).
 */
public final class ResourceContent {
  private final ProjectFiles project;
  private final TemplateRenderer templates;
  private final TemplateVars vars;

  public ResourceContent(ApplyContext context) {
    this.project = new ProjectFiles(context.projectDir(), context.stateDir());
    this.templates = new TemplateRenderer(project);
    this.vars = context.vars();
  }

  public byte[] bytes(Resource.File r) {
    Origin origin = Origin.of(r);
    if (r.content().isPresent() == r.source().isPresent()) {
      throw new TreeException(origin, "a file needs exactly one of content or source");
    }
    return r.content().isPresent()
        ? r.content().get().getBytes(StandardCharsets.UTF_8)
        : project.read(r.source().get(), origin);
  }

  public byte[] bytes(Resource.Template r) {
    return templates.render(r.source(), vars, Origin.of(r));
  }
}
