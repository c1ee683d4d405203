/**
 * Sandboxed commands on a staging tree: {@code run:} steps ({@link dev.herd.bake.run.RunStepExecutor},
 * changes land in the tree) and image-test commands ({@link dev.herd.bake.run.SandboxCommand},
 * on a discarded overlay), both {@code podman run --rootfs} with no pull, no host mounts and
 * {@code --network none} unless a step asks for the host's network; plus the
 * {@link dev.herd.bake.run.ProcessRunner} every bake tool runs through.
 */
package dev.herd.bake.run;
