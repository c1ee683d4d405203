package dev.herd.server;

import java.util.List;

/** A request herd refuses, with the status and the reason the client sees. */
public final class ApiError extends RuntimeException {
  private final int status;
  private final List<String> details;

  public ApiError(int status, String reason) {
    this(status, reason, List.of());
  }

  public ApiError(int status, String reason, List<String> details) {
    super(reason);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("an API error status is 4xx or 5xx, got " + status);
    }
    this.status = status;
    this.details = List.copyOf(details);
  }

  public int status() {
    return status;
  }

  public List<String> details() {
    return details;
  }

  static ApiError badRequest(String reason) {
    return new ApiError(400, reason);
  }

  static ApiError notFound(String reason) {
    return new ApiError(404, reason);
  }

  static ApiError conflict(String reason) {
    return new ApiError(409, reason);
  }

  /** 422 for a herd.yaml that does not load: how many errors, what was not done, each error located in the details. */
  static ApiError invalidSpec(java.nio.file.Path file, List<dev.herd.spec.SpecError> errors, String nothingDone) {
    List<String> details = errors.stream().map(dev.herd.spec.SpecError::render).toList();
    return new ApiError(422, file.getFileName() + " is invalid (" + details.size()
        + (details.size() == 1 ? " error" : " errors") + "); " + nothingDone, details);
  }
}
