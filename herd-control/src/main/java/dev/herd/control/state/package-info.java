/** The controller's records and its SQLite store (ctl_ tables in herd.db). */
package dev.herd.control.state;
