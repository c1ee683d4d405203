package dev.herd.config;

import java.time.Instant;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One immutable config revision of a scope: what it set and unset, who, when and why.
 * Revision 0 is the implicit starting point (herd.yaml only) and has no row.
 */
public record ConfigRevision(
    Scope scope, long revision, String author, Instant time, String message, SortedMap<String, String> set, SortedSet<String> unset) {
  public ConfigRevision {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(message, "message");
    set = Collections.unmodifiableSortedMap(new TreeMap<>(set));
    unset = Collections.unmodifiableSortedSet(new TreeSet<>(unset));
  }
}
