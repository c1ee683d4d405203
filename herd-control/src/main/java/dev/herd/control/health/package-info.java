/** Health probes (HTTP, TCP on loopback) and the monitor that turns them into verdicts. */
package dev.herd.control.health;
