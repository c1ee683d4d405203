package dev.herd.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-written name check accepts exactly what the documented pattern accepts. */
class NamesTest {

  @Test
  void fastCheckAgreesWithThePattern() {
    List<String> names = new ArrayList<>(List.of("", "a", "-", "a-", "-a", "a-b", "web-3-g2", "A", "web_1", "web.1", "web 1",
        "é", "0", "9-9", "a--b", "web-3-G2", "a".repeat(63), "a".repeat(64), "a" + "-".repeat(61) + "b",
        "a" + "-".repeat(62), "z0-", "hello-web-web-10-g12"));
    for (char c = 0; c < 200; c++) {
      names.add("a" + c + "b");
      names.add(String.valueOf(c));
    }
    for (String n : names) {
      assertThat(Names.isName(n)).as("'%s'", n).isEqualTo(Names.NAME.matcher(n).matches());
    }
    assertThat(Names.isName(null)).isFalse();
  }

  @Test
  void aBadNameSaysWhatIsWrong() {
    assertThatThrownBy(() -> new NodeRef("p", "Web-1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("node must be lower-case letters, digits and '-' (1-63, not starting or ending with '-'), got: Web-1");
  }
}
