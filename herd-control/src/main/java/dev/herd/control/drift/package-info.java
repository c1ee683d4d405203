/**
 * Drift: every way a running node stops matching its release (image, config, filesystem,
 * tamper), containers herd finds but does not run (orphan, foreign), what the fleet's policy
 * does about each, the persisted findings, and the immutability score per fleet.
 */
package dev.herd.control.drift;
