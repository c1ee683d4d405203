/**
 * The fleet controller: {@link dev.herd.control.Controller} applies a
 * {@link dev.herd.control.DesiredState} and keeps fleets healthy (see docs/controller.md).
 * Subpackages: {@code state} (records and the SQLite store), {@code loop} (work queue, reconcile
 * loop, schedulers), {@code health} (probes and the health monitor). They depend on spec and
 * engine only, never on this package.
 */
package dev.herd.control;
