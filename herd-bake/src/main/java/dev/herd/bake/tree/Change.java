package dev.herd.bake.tree;

import java.util.Objects;

/**
 * What applying (or checking) one resource did to one path or account.
 *
 * @param subject the image path ("/srv/www/index.html") or account ("user www-data")
 * @param reason short and specific: "content differs (sha256 ab12…→cd34…)", "mode 0600→0644"
 */
public record Change(Kind kind, String subject, String reason, Origin origin) {
  public enum Kind {
    CREATED,
    UPDATED,
    UNCHANGED,
    REMOVED
  }

  public Change {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(origin, "origin");
  }

  public boolean changed() {
    return kind != Kind.UNCHANGED;
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + subject + ": " + reason + " (" + origin + ")";
  }
}
