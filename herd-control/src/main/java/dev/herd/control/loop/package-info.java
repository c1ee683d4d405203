/** Level-based reconcile loop: deduplicating work queue, backoff, real and simulated schedulers. */
package dev.herd.control.loop;
