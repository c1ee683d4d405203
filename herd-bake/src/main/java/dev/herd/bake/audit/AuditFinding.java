package dev.herd.bake.audit;

import java.util.Objects;

/**
 * One way the tree differs from the role: what is, and what should be.
 *
 * @param subject the path, account or package the line is about
 * @param detail {@code content differs (sha256 ab12…→cd34…)}, {@code not installed, role wants any}
 */
public record AuditFinding(Kind kind, String subject, String detail) {
  public enum Kind {
    /** A resource of the role (file, directory, symlink, user, group, absent). */
    RESOURCE,
    /** A package the role or its base asks for. */
    PACKAGE,
    /** A file an installed package owns (dpkg md5sums and conffiles). */
    PACKAGE_FILE
  }

  public AuditFinding {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(detail, "detail");
  }

  /** {@code /etc/motd: content differs (sha256 ab12…→cd34…)}. */
  public String line() {
    return subject + ": " + detail;
  }
}
