package dev.herd.bake.scan;

import java.util.List;

/** The bake is blocked by probable secrets. The message never contains a secret. */
public class SecretsFoundException extends RuntimeException {
  private final transient List<Finding> findings;

  public SecretsFoundException(String message, List<Finding> findings) {
    super(message);
    this.findings = List.copyOf(findings);
  }

  public List<Finding> findings() {
    return findings;
  }
}
