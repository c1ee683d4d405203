package dev.herd.server.ui;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's logins: one-time codes that the API's token holder mints ({@code herd
 * dashboard}), exchanged once for a browser session that carries its own CSRF token.
 *
 * <p>A code lives {@link #CODE_TTL} and works once; a presented code is compared with every
 * pending one in constant time, so neither the match nor how much of it matched shows in the
 * response time. Sessions are kept by the SHA-256 of their id: a lookup's timing says nothing
 * about a stored id, and a memory dump holds no usable cookie. Nothing here is persisted: a
 * restarted controller forgets every session, as it changes its API token.
 */
public final class UiAuth {
  /** How long a printed login URL works. */
  public static final Duration CODE_TTL = Duration.ofMinutes(2);
  /** How long a browser stays logged in without being told again. */
  public static final Duration SESSION_TTL = Duration.ofHours(12);
  /** Codes waiting at once; minting more drops the oldest (a code is used within seconds). */
  static final int MAX_CODES = 16;
  /** Sessions at once; more drops the one that expires first. */
  static final int MAX_SESSIONS = 256;

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A logged-in browser: the cookie value and the CSRF token its forms carry. */
  public record Session(String id, String csrf, Instant expires) {
    @Override
    public String toString() {
      return "Session[hidden, expires " + expires + "]";
    }
  }

  /** A minted code and when it stops working. */
  public record Code(String value, Instant expires) {
    @Override
    public String toString() {
      return "Code[hidden, expires " + expires + "]";
    }
  }

  private record Pending(byte[] code, Instant expires) {}

  private final Clock clock;
  private final List<Pending> codes = new ArrayList<>();
  private final Map<String, Session> sessions = new HashMap<>();

  public UiAuth(Clock clock) {
    this.clock = clock;
  }

  /** A fresh one-time login code. */
  public synchronized Code mintCode() {
    Instant now = clock.instant();
    codes.removeIf(p -> !p.expires().isAfter(now));
    while (codes.size() >= MAX_CODES) {
      codes.removeFirst();
    }
    String value = random();
    Instant expires = now.plus(CODE_TTL);
    codes.add(new Pending(value.getBytes(StandardCharsets.US_ASCII), expires));
    return new Code(value, expires);
  }

  /**
   * Exchanges a code for a new session; empty when the code is unknown, used or expired. Every
   * pending code is compared, with no early exit.
   */
  public synchronized Optional<Session> exchange(String presented) {
    if (presented == null || presented.isEmpty() || presented.length() > 128) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    byte[] p = presented.getBytes(StandardCharsets.UTF_8);
    Pending hit = null;
    for (Pending c : codes) {
      boolean same = MessageDigest.isEqual(c.code(), p);
      if (same && hit == null) {
        hit = c;
      }
    }
    if (hit == null) {
      return Optional.empty();
    }
    codes.remove(hit); // single use, even when it turns out expired
    if (!hit.expires().isAfter(now)) {
      return Optional.empty();
    }
    sessions.values().removeIf(s -> !s.expires().isAfter(now));
    while (sessions.size() >= MAX_SESSIONS) {
      Iterator<Map.Entry<String, Session>> first = sessions.entrySet().stream()
          .sorted(Map.Entry.comparingByValue((a, b) -> a.expires().compareTo(b.expires()))).iterator();
      sessions.remove(first.next().getKey());
    }
    Session s = new Session(random(), random(), now.plus(SESSION_TTL));
    sessions.put(hash(s.id()), s);
    return Optional.of(s);
  }

  /** The live session of a cookie value, if any. */
  public synchronized Optional<Session> session(String cookie) {
    if (cookie == null || cookie.isEmpty() || cookie.length() > 128) {
      return Optional.empty();
    }
    String key = hash(cookie);
    Session s = sessions.get(key);
    if (s == null) {
      return Optional.empty();
    }
    if (!s.expires().isAfter(clock.instant())) {
      sessions.remove(key);
      return Optional.empty();
    }
    return Optional.of(s);
  }

  /** Ends a session (log out). */
  public synchronized void end(String cookie) {
    if (cookie != null && cookie.length() <= 128) {
      sessions.remove(hash(cookie));
    }
  }

  /** Whether {@code presented} is the session's CSRF token (constant time). */
  public static boolean csrfMatches(Session s, String presented) {
    return presented != null && MessageDigest.isEqual(s.csrf().getBytes(StandardCharsets.US_ASCII),
        presented.getBytes(StandardCharsets.UTF_8));
  }

  private static String random() {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  private static String hash(String value) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
