/**
 * The engine nodes run on: the {@link dev.herd.engine.Engine} interface and its records. The
 * Docker-compatible implementation (Podman, Docker Engine) is in {@code dev.herd.engine.docker};
 * an in-memory fake and the shared contract tests ship in this module's test-jar.
 */
package dev.herd.engine;
