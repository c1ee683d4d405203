package dev.herd.bake.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herd.spec.Location;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateRendererTest {
  @TempDir Path project;
  TemplateRenderer renderer;
  final Origin origin = new Origin(new Location(Path.of("herd.yaml"), 20, 7), "roles.web.resources[1]");
  final TemplateVars vars = TemplateVars.of(Map.of("port", "8080", "server_name", "example.test"), "web", "1.4.0",
      Instant.parse("2024-01-01T00:00:00Z"));

  @BeforeEach
  void setUp() {
    renderer = new TemplateRenderer(new ProjectFiles(project));
  }

  private String render(String name, String text) throws IOException {
    Files.writeString(project.resolve(name), text);
    return new String(renderer.render(name, vars, origin), StandardCharsets.UTF_8);
  }

  @Test
  void rendersVarsAndBuildFacts() throws IOException {
    String out = render("nginx.conf.j2",
        "# {{ role.name }} {{ role.version }} built {{ image.created }}\n"
            + "{% if port | int > 1024 %}listen {{ port }};{% endif %}\nserver_name {{ server_name | upper }};\n");
    assertThat(out).isEqualTo("# web 1.4.0 built 2024-01-01T00:00:00Z\nlisten 8080;\nserver_name EXAMPLE.TEST;\n");
  }

  @Test
  void undefinedVariableIsAnErrorNamingTemplateAndLine() {
    assertThatThrownBy(() -> render("app.conf.j2", "a = 1\nb = {{ port }}\nc = {{ db_host }}\n"))
        .isInstanceOf(TreeException.class)
        .hasMessageStartingWith("herd.yaml:20:7: roles.web.resources[1]: template app.conf.j2:3: ")
        .hasMessageEndingWith("undefined: db_host");
  }

  /** Issue 18: template bombs hung the bake or exhausted memory; each is now a located error within seconds. */
  @Test
  void bombsFailFastWithTheResourceAndTemplateLine() throws IOException {
    String[][] bombs = {
        {"loops.j2", "# nested\n{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}{% endfor %}{% endfor %}{% endfor %}",
            "template loops.j2:2: more than 1000000 loop iterations"},
        {"wide.j2", "{{ 'a'|center(2e9) }}", "template wide.j2:1: center() would be 2000000000 characters"},
        {"range.j2", "\n\n{{ range(1e8)|length }}", "template range.j2:3: range() of 100000000 numbers, more than 100000"},
        {"self.j2", "x\n{% include 'self.j2' %}", "template self.j2:2: include cycle"}};
    for (String[] b : bombs) {
      Files.writeString(project.resolve(b[0]), b[1]);
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> renderer.render(b[0], vars, origin))
          .isInstanceOf(TreeException.class)
          .hasMessageStartingWith("herd.yaml:20:7: roles.web.resources[1]: " + b[2]);
      assertThat((System.nanoTime() - t0) / 1e9).as(b[0]).isLessThan(5);
    }
  }

  @Test
  void undefinedNestedFactIsAnError() {
    assertThatThrownBy(() -> render("f.j2", "{{ role.nmae }}"))
        .hasMessageContaining("template f.j2:1")
        .hasMessageContaining("nmae");
  }

  @Test
  void includesProjectFiles() throws IOException {
    Files.createDirectories(project.resolve("partials"));
    Files.writeString(project.resolve("partials/head.j2"), "head {{ port }}");
    assertThat(render("main.j2", "{% include 'partials/head.j2' %} body")).isEqualTo("head 8080 body");
  }

  @Test
  void varValuesAreNotRenderedAgain() throws IOException {
    TemplateVars tricky = TemplateVars.of(Map.of("motd", "{{ role.name }}"), "web", "1", Instant.EPOCH);
    Files.writeString(project.resolve("m.j2"), "{{ motd }}");
    assertThat(new String(renderer.render("m.j2", tricky, origin), StandardCharsets.UTF_8)).isEqualTo("{{ role.name }}");
  }

  @Test
  void aVarNamedLikeAFactNamespaceIsRefused() throws IOException {
    TemplateVars clash = TemplateVars.of(Map.of("role", "db"), "web", "1", Instant.EPOCH);
    Files.writeString(project.resolve("c.j2"), "{{ role }}");
    assertThatThrownBy(() -> renderer.render("c.j2", clash, origin))
        .hasMessageContaining("role var \"role\" has the name of a build fact namespace");
  }

  @Test
  void syntaxErrorNamesTheLine() {
    assertThatThrownBy(() -> render("s.j2", "ok\n{% if %}\n"))
        .hasMessageContaining("template s.j2:2");
  }
}
