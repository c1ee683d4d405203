package dev.herd.config;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/** A decrypted secret. Holds plaintext, so {@link #toString()} shows {@code ***} instead. */
public final class Secret {
  private final Scope scope;
  private final String name;
  private final long revision;
  private final byte[] value;

  Secret(Scope scope, String name, long revision, byte[] value) {
    this.scope = Objects.requireNonNull(scope, "scope");
    this.name = Objects.requireNonNull(name, "name");
    this.revision = revision;
    this.value = value.clone();
  }

  public Scope scope() {
    return scope;
  }

  public String name() {
    return name;
  }

  public long revision() {
    return revision;
  }

  /** A copy of the plaintext bytes. */
  public byte[] value() {
    return value.clone();
  }

  @Override
  public String toString() {
    return "Secret[" + scope + "/" + name + " revision " + revision + " = ***]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && s.scope.equals(scope) && s.name.equals(name) && s.revision == revision
        && Arrays.equals(s.value, value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(scope, name, revision);
  }

  String utf8() {
    return new String(value, StandardCharsets.UTF_8);
  }
}
