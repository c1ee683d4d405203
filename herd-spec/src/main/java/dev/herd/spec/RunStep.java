package dev.herd.spec;

import java.time.Duration;

/** A shell step run in a sandbox over the staged root filesystem; its changes become a layer. */
public record RunStep(String name, String shell, boolean network, Duration timeout, Location location, String keyPath) {}
