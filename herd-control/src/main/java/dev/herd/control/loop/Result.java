package dev.herd.control.loop;

import java.time.Duration;

/** What a reconcile pass asks for: nothing more until something changes, or another look later. */
public sealed interface Result {
  record Done() implements Result {}

  record RequeueAfter(Duration delay) implements Result {}

  static Result done() {
    return new Done();
  }

  static Result requeueAfter(Duration d) {
    return new RequeueAfter(d);
  }
}
