package dev.herd.bake.scan;

import dev.herd.common.Refusal;
import java.util.List;

/** The bake is blocked by probable secrets. The message never contains a secret. */
public class SecretsFoundException extends RuntimeException implements Refusal {
  private final transient List<Finding> findings;

  public SecretsFoundException(String message, List<Finding> findings) {
    super(message);
    this.findings = List.copyOf(findings);
  }

  public List<Finding> findings() {
    return findings;
  }
}
