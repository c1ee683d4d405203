package dev.herd.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.herd.common.Refusal;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RendererTest {
  /** Includes of the bombs: "self" includes itself, "big" is a normal file. */
  static final Map<String, String> FILES = Map.of(
      "self", "line one\n{% include 'self' %}\n",
      "a", "{% include 'b' %}",
      "b", "{% include 'a' %}");

  final Renderer bake = new Renderer(TemplateLimits.BAKE, name -> {
    String text = FILES.get(name);
    if (text == null) {
      throw new IllegalArgumentException("no file " + name);
    }
    return text;
  });

  /** Issue 18: each bomb fails fast, at its line, naming the limit; none renders a cut or empty file. */
  static Stream<Arguments> bombs() {
    return Stream.of(
        Arguments.of("nested range loops", "ok\n{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}"
            + "{% endfor %}{% endfor %}{% endfor %}", 2, "loop iterations"),
        Arguments.of("nested loops with output", "\n\n{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}x"
            + "{% endfor %}{% endfor %}{% endfor %}", 3, "loop iterations"),
        Arguments.of("center(2e9)", "a\n{{ 'a'|center(2000000000) }}", 2, "center()"),
        Arguments.of("center(2e9) with a float", "{{ 'a'|center(2e9) }}", 1, "center()"),
        Arguments.of("range(1e8)", "x\ny\n{{ range(100000000)|length }}", 3, "range() of 100000000 numbers"),
        Arguments.of("range(1e8) in a loop", "{% for i in range(1e8) %}{{ i }}{% endfor %}", 1, "range()"),
        Arguments.of("self include", "top\n{% include 'self' %}", 2, "include cycle"),
        Arguments.of("mutual include", "{% include 'a' %}", 1, "include cycle"),
        Arguments.of("format width", "{{ '%2000000000s'|format('a') }}", 1, "format()"),
        Arguments.of("string multiplication", "\n{{ 'x' * 1000000000 }}", 2, "Cannot coerce"),
        Arguments.of("indent width", "{{ 'a\\nb'|indent(2000000000) }}", 1, "indent()"),
        Arguments.of("doubling a string", "{% set x = 'ab' %}\n{% for i in range(40) %}{% set x = x ~ x %}{% endfor %}{{ x|length }}", 2,
            "characters"),
        Arguments.of("replace amplification", "{% set x = 'aaaaaaaaaaaaaaaa' %}{% for i in range(8) %}"
            + "{% set x = x|replace('a', x) %}{% endfor %}", 1, "replace()"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bombs")
  void everyBombFailsWithinFiveSecondsAtItsLine(String what, String template, int line, String words) {
    TemplateException e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      try {
        String out = bake.render("templates/x.j2", template, Map.of());
        throw new AssertionError("rendered " + out.length() + " characters instead of failing");
      } catch (TemplateException ex) {
        return ex;
      }
    });
    assertThat(e.getMessage()).startsWith("templates/x.j2:" + line + ": ").contains(words);
    assertThat(e).isInstanceOf(Refusal.class);
  }

  @Test
  void timeLimitStopsWorkThatStaysUnderTheOtherLimits() {
    Renderer slow = new Renderer(new TemplateLimits(1 << 20, Long.MAX_VALUE, 100_000, Duration.ofMillis(200)), Includes.NONE);
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> slow.render("t.j2", "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", Map.of()))
        .isInstanceOf(TemplateException.class)
        .hasMessage("t.j2:1: rendering takes longer than 200 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void outputOverTheLimitIsAnErrorNotACut() {
    Renderer small = new Renderer(new TemplateLimits(100_000, 1_000_000, 100_000, Duration.ofSeconds(60)), Includes.NONE); // the time limit is not under test here
    assertThatThrownBy(() -> small.render("t.j2", "head\n{% for i in range(100000) %}{{ '%010d'|format(i) }}{% endfor %}", Map.of()))
        .isInstanceOf(TemplateException.class)
        .hasMessageStartingWith("t.j2:2: ")
        .hasMessageContaining("100000 characters");
  }

  @Test
  void normalTemplatesRenderAsBefore() {
    String t = "<h1>{{ greeting }} from {{ site }}</h1>\n{% for i in range(3) %}{{ i }},{% endfor %}\n"
        + "{{ 'ab'|center(6) }}|{{ '%05d'|format(42) }}|{{ ['a','b']|join('-') }}|{{ 'x.y'|replace('.', '/') }}\n";
    assertThat(bake.render("t.j2", t, Map.of("greeting", "Hello", "site", "hello-web")))
        .isEqualTo("<h1>Hello from hello-web</h1>\n0,1,2,\n  ab  |00042|a-b|x/y\n");
    assertThat(bake.render("t.j2", "{{ range(10, 0, -3)|join(',') }} {{ range(2, 5)|join(',') }}", Map.of())).isEqualTo("10,7,4,1 2,3,4");
  }

  @Test
  void undefinedNamesAreErrorsAtTheirLine() {
    assertThatThrownBy(() -> bake.render("t.j2", "a\n{{ nope }}", Map.of()))
        .isInstanceOf(TemplateException.class)
        .hasMessageStartingWith("t.j2:2: ")
        .hasMessageContaining("nope");
  }

  @Test
  void includesAreRefusedWhereNoneAreAllowed() {
    Renderer launch = new Renderer(TemplateLimits.LAUNCH, Includes.NONE);
    assertThatThrownBy(() -> launch.render("launch setting X", "{% include 'logback.xml' %}", Map.of()))
        .isInstanceOf(TemplateException.class)
        .hasMessage("launch setting X:1: cannot include \"logback.xml\": this template may not load other files");
  }

  @Test
  void aRefusalFromTheIncludesReachesTheCallerUnchanged() {
    class Refused extends RuntimeException implements Refusal {
      Refused() {
        super("herd.yaml:9:7: roles.web.resources[2]: source \".herd/keys/secrets.json\" is in herd's state directory");
      }
    }
    Renderer r = new Renderer(TemplateLimits.BAKE, name -> {
      throw new Refused();
    });
    assertThatThrownBy(() -> r.render("t.j2", "x\n{% include '.herd/keys/secrets.json' %}", Map.of()))
        .isInstanceOf(Refused.class);
  }
}
