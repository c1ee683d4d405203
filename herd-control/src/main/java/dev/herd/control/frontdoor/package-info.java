/**
 * The front door: one HAProxy master-worker per project giving each exposed fleet one stable
 * address. herd renders its configuration, starts or adopts the process, and changes the
 * servers of a fleet's backend through the Runtime API (no reload per change).
 */
package dev.herd.control.frontdoor;
