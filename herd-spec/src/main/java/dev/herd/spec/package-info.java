/** The herd.yaml model: immutable records, a loader that reports located errors, a JSON Schema. */
package dev.herd.spec;
