package dev.herd.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.engine.fake.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UiAuthTest {
  final ManualClock clock = new ManualClock();
  final UiAuth auth = new UiAuth(clock);

  @Test
  void aCodeWorksOnceAndOnlyWithinItsTtl() {
    UiAuth.Code code = auth.mintCode();
    assertThat(code.value()).matches("[A-Za-z0-9_-]{43}");
    assertThat(code.toString()).doesNotContain(code.value());
    UiAuth.Session s = auth.exchange(code.value()).orElseThrow();
    assertThat(auth.exchange(code.value())).as("second use").isEmpty();
    assertThat(auth.session(s.id())).contains(s);
    assertThat(s.toString()).doesNotContain(s.id()).doesNotContain(s.csrf());

    UiAuth.Code late = auth.mintCode();
    clock.advance(UiAuth.CODE_TTL);
    assertThat(auth.exchange(late.value())).isEmpty();
  }

  @Test
  void wrongCodesAndCookiesGetNothing() {
    auth.mintCode();
    for (String wrong : new String[] {null, "", "x", "A".repeat(43), "A".repeat(10_000)}) {
      assertThat(auth.exchange(wrong)).as(String.valueOf(wrong)).isEmpty();
      assertThat(auth.session(wrong)).isEmpty();
    }
  }

  @Test
  void sessionsExpireAndEnd() {
    UiAuth.Session s = auth.exchange(auth.mintCode().value()).orElseThrow();
    clock.advance(UiAuth.SESSION_TTL.minus(Duration.ofSeconds(1)));
    assertThat(auth.session(s.id())).isPresent();
    clock.advance(Duration.ofSeconds(1));
    assertThat(auth.session(s.id())).isEmpty();
    UiAuth.Session t = auth.exchange(auth.mintCode().value()).orElseThrow();
    auth.end(t.id());
    assertThat(auth.session(t.id())).isEmpty();
  }

  @Test
  void csrfTokensArePerSession() {
    UiAuth.Session a = auth.exchange(auth.mintCode().value()).orElseThrow();
    UiAuth.Session b = auth.exchange(auth.mintCode().value()).orElseThrow();
    assertThat(UiAuth.csrfMatches(a, a.csrf())).isTrue();
    assertThat(UiAuth.csrfMatches(a, b.csrf())).isFalse();
    assertThat(UiAuth.csrfMatches(a, null)).isFalse();
    assertThat(UiAuth.csrfMatches(a, "")).isFalse();
    assertThat(UiAuth.csrfMatches(a, a.csrf() + "x")).isFalse();
  }

  @Test
  void pendingCodesAreBounded() {
    List<UiAuth.Code> codes = new ArrayList<>();
    for (int i = 0; i < UiAuth.MAX_CODES + 3; i++) {
      codes.add(auth.mintCode());
    }
    assertThat(auth.exchange(codes.getFirst().value())).as("the oldest was dropped").isEmpty();
    assertThat(auth.exchange(codes.getLast().value())).isPresent();
  }
}
